// The GitOps mode's manifests (manifests/gitops/) against what the lab and Argo CD depend on: the git
// server runs exactly the daemon argv the tests serve with, every Application and AppProject names the
// URL that server answers at, the tree is root → parents → children in GITOPS_APP_ORDER, every
// Application's source path is a folder that `kubectl kustomize` builds, each child's objects land
// only where its AppProject allows, and eng_app's overlay leaves out the Secret (no password in git).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { loadContract, releaseFact } from '../../lab/charts/contract.ts';
import {
  bootstrapObjects, GIT_SERVER, GIT_SERVER_HOST, GITOPS_APP_ORDER, GITOPS_FOLDERS, gitopsRepoUrl, gitServerObjects, NODE_REPOS_DIR, POD_REPOS_DIR, ROOT_APP, SAMPLE_APPS, treeApplications,
} from '../../lab/gitops/applications.ts';
import { ARGOCD_NAMESPACE } from '../../lab/gitops/auto-sync.ts';
import { GIT_PORT, gitDaemonArgs } from '../../lab/gitops/daemon.ts';
import { loadManifests, MANIFESTS_DIR } from '../../lab/manifests.ts';
import { RELEASES } from '../../lab/observability/endpoints.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { CHARTS, IMAGE_PLATFORMS } from '../../lab/versions.ts';

type App = KubernetesObject & { spec: { project: string; source: { repoURL: string; path: string; targetRevision: string }; destination: { namespace: string; server: string } } };
type Project = KubernetesObject & { spec: { sourceRepos: string[]; destinations: Array<{ namespace: string; server: string }>; clusterResourceWhitelist?: Array<{ group: string; kind: string }> } };

const kustomize = (folder: string): KubernetesObject[] => {
  const r = spawnSync(path.join(testenvBinDir(), 'kubectl'), ['kustomize', path.join(MANIFESTS_DIR, folder)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${folder}: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as KubernetesObject).filter((o) => o?.kind);
};
const all = [...bootstrapObjects(), ...treeApplications()];
const apps = all.filter((o) => o.kind === 'Application') as App[];
const projects = bootstrapObjects().filter((o) => o.kind === 'AppProject') as Project[];
const byName = (name: string) => apps.find((a) => a.metadata!.name === name)!;
const applicationPaths = (): Record<string, string> => Object.fromEntries(apps.map((a) => [a.metadata!.name!, a.spec.source.path]));

test('the git server runs gitDaemonArgs on the repositories /opt/nfs/gitops holds, on the deploy nodes, in Argo CD\'s pinned image', (t) => {
  const d = gitServerObjects().find((o) => o.kind === 'Deployment') as V1Deployment;
  const svc = gitServerObjects().find((o) => o.kind === 'Service') as V1Service;
  const pod = d.spec!.template.spec!;
  const c = pod.containers[0];
  t.deepEqual([...(c.command ?? []), ...(c.args ?? [])], ['git', ...gitDaemonArgs(POD_REPOS_DIR, '0.0.0.0')]);
  t.is(c.volumeMounts![0].mountPath, POD_REPOS_DIR);
  t.true(c.volumeMounts![0].readOnly);
  t.is(pod.volumes![0].hostPath!.path, NODE_REPOS_DIR);
  t.deepEqual(pod.nodeSelector, { 'node.kubernetes.io/nodegroup': 'deploy' });
  t.is(c.image, `quay.io/argoproj/argocd:${CHARTS['argo-cd'].appVersion}`);
  t.true(releaseFact(loadContract(), RELEASES.argocd.release).images.includes(c.image!), 'the same image the chart runs (no other pull)');
  t.truthy(IMAGE_PLATFORMS[c.image!]);
  t.deepEqual([d.metadata!.namespace, d.metadata!.name, svc.metadata!.name], [GIT_SERVER.namespace, GIT_SERVER.deployment, GIT_SERVER.service]);
  t.is(svc.spec!.ports![0].port, GIT_PORT);
  t.is(GIT_SERVER_HOST, `${svc.metadata!.name}.${svc.metadata!.namespace}.svc.cluster.local`);
  t.is(ARGOCD_NAMESPACE, RELEASES.argocd.namespace);
});

test('every Application and AppProject names the git server\'s URL, branch main, the in-cluster API', (t) => {
  t.is(gitopsRepoUrl(), 'git://git-server.argocd.svc.cluster.local/lab.git');
  for (const a of apps) {
    t.is(a.spec.source.repoURL, gitopsRepoUrl(), a.metadata!.name);
    t.is(a.spec.source.targetRevision, 'main');
    t.is(a.spec.destination.server, 'https://kubernetes.default.svc');
    t.is(a.metadata!.namespace, ARGOCD_NAMESPACE);
  }
  for (const p of projects) t.deepEqual(p.spec.sourceRepos, [gitopsRepoUrl()], p.metadata!.name);
});

test('the tree: root → parents app, infra → sock-shop, eng-app, istio-telemetry; GITOPS_APP_ORDER lists parents first', (t) => {
  t.deepEqual(bootstrapObjects().filter((o) => o.kind === 'Application').map((o) => o.metadata!.name), [ROOT_APP]);
  const children = (name: string) => loadManifests(byName(name).spec.source.path).filter((o) => o.kind === 'Application').map((o) => o.metadata!.name!);
  t.deepEqual(children('root'), ['app', 'infra']);
  t.deepEqual(children('app'), ['sock-shop', 'eng-app']);
  t.deepEqual(children('infra'), ['istio-telemetry']);
  t.deepEqual([...apps.map((a) => a.metadata!.name)].sort(), [...GITOPS_APP_ORDER].sort());
  for (const parent of ['root', 'app', 'infra']) {
    for (const child of children(parent)) t.true(GITOPS_APP_ORDER.indexOf(parent) < GITOPS_APP_ORDER.indexOf(child), `${parent} before ${child}`);
  }
  t.deepEqual(Object.values(SAMPLE_APPS).map((n) => applicationPaths()[n]), ['sock-shop', GITOPS_FOLDERS.engAppOverlay]);
});

test('each Application\'s source path builds with kubectl kustomize, and its objects go only where its AppProject allows', (t) => {
  for (const a of apps) {
    t.true(existsSync(path.join(MANIFESTS_DIR, a.spec.source.path, 'kustomization.yaml')), a.spec.source.path);
    const objs = kustomize(a.spec.source.path);
    t.true(objs.length > 0, a.spec.source.path);
    const p = projects.find((x) => x.metadata!.name === a.spec.project)!;
    t.truthy(p, `${a.metadata!.name}: project ${a.spec.project}`);
    const allowed = new Set(p.spec.destinations.map((d) => d.namespace));
    t.true(allowed.has(a.spec.destination.namespace), `${a.metadata!.name}'s destination`);
    for (const o of objs) {
      if (o.metadata?.namespace) t.true(allowed.has(o.metadata.namespace), `${a.metadata!.name}: ${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`);
      else t.true((p.spec.clusterResourceWhitelist ?? []).some((w) => w.kind === o.kind), `${a.metadata!.name}: cluster-scoped ${o.kind}/${o.metadata!.name}`);
    }
  }
});

test("eng_app's overlay is manifests/eng-app without the Secret: no password in git, the rest the same", (t) => {
  const overlay = kustomize(GITOPS_FOLDERS.engAppOverlay);
  const base = kustomize('eng-app');
  t.false(overlay.some((o) => o.kind === 'Secret'));
  t.true(base.some((o) => o.kind === 'Secret'), 'the base does make one');
  t.deepEqual(overlay, base.filter((o) => o.kind !== 'Secret'));
});

test('sock-shop leaves what Flagger writes to its Deployments alone (ignoreDifferences + RespectIgnoreDifferences)', (t) => {
  const s = byName('sock-shop') as App & { spec: { ignoreDifferences: unknown[]; syncPolicy: { syncOptions: string[] } } };
  t.deepEqual(s.spec.ignoreDifferences, [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['flagger'] }]);
  t.true(s.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'));
});
