// The GitOps mode (LAB_GITOPS=argocd) on a real control plane (sim): plan names Argo CD, the git server
// and the Applications; up creates the repository from manifests/ (one commit), Argo CD's CRDs (from
// the testenv: no chart archive is cached here), the git server, eng_app's Secret from eng-app.env and
// the bootstrap; the API server validates every Application of the tree against Argo CD's CRD schema
// (and refuses a wrong one); a second up writes nothing; an exercise pauses the root's automated sync
// for its run and resumes it, and a run left paused (--keep) is resumed by the next up. No Argo CD
// controller can run on sim, so the samples are applied by the lab there (it says so), and the gitops
// exercise is skipped with that reason (its contract tests run it against a stand-in controller).
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { bootstrapObjects, gitopsRepoUrl, treeApplications } from '../../lab/gitops/applications.ts';
import { applicationRef, autoSyncOn, PAUSED_BY } from '../../lab/gitops/auto-sync.ts';
import type { LabError } from '../../lab/errors.ts';
import { parseKustomizeEnv } from '../../lab/manifests.ts';
import { kube, lab, requireTestenv, simProject, versionsOf } from './harness.ts';

const P = simProject(`gitops-${process.pid.toString(36)}`, { LAB_PROFILE: 'minimal', LAB_GITOPS: 'argocd' });
const k = () => kube(P);
const root = async () => (await k().get<KubernetesObject & { spec: { source: { repoURL: string } } }>(applicationRef('root')))!;

test.before(() => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
});

test.after.always(() => {
  lab(P, ['down', '--purge', '--yes']);
});

test.serial('plan shows Argo CD, the git server, the Applications, and that sim applies the samples itself', (t) => {
  const r = lab(P, ['plan']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /\d+\. argocd — Argo CD/);
  t.regex(r.out, /chart argo\/argo-cd 10\.1\.1 \(app v3\.4\.4\)|skipped \(sim\): chart archive not cached/);
  t.regex(r.out, /\d+\. gitops — GitOps/);
  t.regex(r.out, /git server: Deployment\+Service argocd\/git-server \(git daemon, \/opt\/nfs\/gitops read only\) at git:\/\/git-server\.argocd\.svc\.cluster\.local\/lab\.git/);
  t.regex(r.out, /Application root \(→ parents app, infra → sock-shop, eng-app, istio-telemetry\)/);
  t.regex(r.out, /no Argo CD controller runs on sim: the lab applies the samples itself/);
});

test.serial('up: one commit of manifests/, the CRDs, the git server, the bootstrap, eng_app\'s Secret from eng-app.env', async (t) => {
  const r = lab(P, ['up']);
  t.is(r.code, 0, `${r.err}\n${r.out}`);
  t.regex(r.err, /created .*gitops\/lab\.git from manifests\//);
  t.regex(r.err, /no Argo CD controller runs on sim, so the lab applies the samples itself/);
  const log = lab(P, ['gitops', 'log']);
  t.is(log.code, 0, log.err);
  t.is(log.out.trim().split('\n').length, 1, log.out);
  t.regex(log.out, /manifests\/ as the lab shipped it/);
  t.is((await root()).spec.source.repoURL, gitopsRepoUrl());
  t.true(autoSyncOn(await root()));
  for (const p of ['root', 'app', 'infra']) t.truthy(await k().get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', namespace: 'argocd', name: p }), p);
  t.truthy(await k().get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'argocd', name: 'git-server' }));
  const secret = (await k().get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', namespace: 'eng-app', name: 'eng-app-secret' }))!;
  const env = parseKustomizeEnv(readFileSync(path.join(P.root, 'eng-app.env'), 'utf8'));
  t.is(Buffer.from(secret.data!.MYSQL_ROOT_PASSWORD, 'base64').toString(), env.MYSQL_ROOT_PASSWORD, 'from eng-app.env, not the committed example');
  t.not(env.MYSQL_ROOT_PASSWORD, 'change-me-root');
});

test.serial("the API server takes every Application of the tree (Argo CD's CRD schema) and refuses a wrong one", async (t) => {
  const tree = treeApplications();
  const accepted = await k().dryRunApply(tree);
  t.deepEqual(accepted.map((o) => o.metadata!.name), tree.map((o) => o.metadata!.name));
  const wrong = structuredClone(tree[0]) as KubernetesObject & { spec: { syncPolicy: { automated: Record<string, unknown> } } };
  wrong.spec.syncPolicy.automated.prune = 'yes';
  const err = await t.throwsAsync(() => k().dryRunApply([wrong]));
  t.regex(`${err?.message} ${(err as LabError).detail}`, /spec\.syncPolicy\.automated\.prune.*boolean/s);
  t.deepEqual(bootstrapObjects().map((o) => o.kind), ['AppProject', 'AppProject', 'AppProject', 'Application']);
});

test.serial('a second up writes nothing; gitops status shows the repository and each Application', async (t) => {
  const kinds: Array<[string, string]> = [['argoproj.io/v1alpha1', 'Application'], ['argoproj.io/v1alpha1', 'AppProject'], ['apps/v1', 'Deployment'], ['v1', 'Secret'], ['v1', 'Service']];
  const before = await versionsOf(k(), kinds);
  const r = lab(P, ['up']);
  t.is(r.code, 0, r.err);
  t.regex(r.err, /GitOps: .* \(unchanged\)/);
  t.deepEqual(await versionsOf(k(), kinds), before);
  const st = lab(P, ['gitops', 'status']);
  t.is(st.code, 0, st.err);
  t.regex(st.out, /HEAD [0-9a-f]{8}/);
  t.regex(st.out, /manifests\/ is as committed/);
  t.regex(st.out, /root\s+no sync status, no health; automated/);
  t.regex(st.out, /sock-shop\s+not created yet/);
});

test.serial("an exercise pauses the root's automated sync for its run and resumes it; --keep leaves it paused until the next up", async (t) => {
  const ex = lab(P, ['exercise', 'traffic-split']);
  t.regex(ex.out, /pause Argo CD's automated sync \(root, app, infra, sock-shop, eng-app, istio-telemetry\)/);
  t.regex(ex.out, /resume Argo CD's automated sync \(root\)/);
  t.true(autoSyncOn(await root()));
  t.is((await root()).metadata?.annotations?.[PAUSED_BY], undefined);

  const kept = lab(P, ['exercise', 'traffic-split', '--keep']);
  t.regex(kept.out, /`npm run lab -- up` puts the samples back and resumes Argo CD's automated sync of root/);
  t.false(autoSyncOn(await root()), 'paused while kept');
  t.is((await root()).metadata?.annotations?.[PAUSED_BY], 'exercise traffic-split');
  const up = lab(P, ['up']);
  t.is(up.code, 0, up.err);
  t.regex(up.err, /resumed Argo CD's automated sync of root \(left paused by an exercise run\)/);
  t.true(autoSyncOn(await root()));
});

test.serial('the gitops exercise is skipped on sim, saying why', (t) => {
  const r = lab(P, ['exercise', 'gitops']);
  t.regex(r.out, /skipped \(sim\): no Argo CD controller runs here/);
  t.regex(r.out, /RESULT: PASS gitops — 2 passed, 0 failed, 6 skipped \(sim; each line above says why\)/, 'not "needs a data plane" for skips with other reasons');
});

test.serial('gitops commands refuse without the GitOps mode (exit 2, naming the setting)', (t) => {
  const r = lab(P, ['gitops', 'status'], { LAB_GITOPS: 'off' });
  t.is(r.code, 2);
  t.regex(r.err, /ERROR: the gitops commands need the GitOps mode, and LAB_GITOPS is off/);
  t.regex(r.err, /LAB_GITOPS=argocd/);
});
