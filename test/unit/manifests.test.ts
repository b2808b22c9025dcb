// manifests/ is the source of truth: `lab render` with default settings writes, for every folder,
// exactly what `kubectl kustomize manifests/<folder>` builds (kubectl from the test environment), so
// `kubectl apply -k` by hand and `lab up` apply the same objects. The lab's loader refuses
// kustomization features it does not implement, and the few facts TypeScript keeps about the YAML
// (node ports, the version header) are checked against it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { EXERCISES } from '../../lab/exercises/index.ts';
import { routesOf, VERSION_HEADER } from '../../lab/exercises/front-end-mesh.ts';
import { GITOPS_FOLDERS } from '../../lab/gitops/applications.ts';
import { istioOperator } from '../../lab/istio/operator.ts';
import { loadManifests, MANIFESTS_DIR, parseKustomizeEnv } from '../../lab/manifests.ts';
import { INGRESS_NODEPORTS } from '../../lab/providers/kind-config.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { LAB_MJS, LAB_NODE, REPO, tempDir } from '../helpers.ts';

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as KubernetesObject).filter((o) => o?.kind);

function render(env: Record<string, string>): string {
  const out = path.join(tempDir('lab-render-'), 'out');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_')));
  const r = spawnSync(LAB_NODE, [LAB_MJS, 'render', '--out', out], { cwd: path.dirname(out), encoding: 'utf8', env: { ...clean, CI: 'true', ...env } });
  if (r.status !== 0) throw new Error(`lab render failed: ${r.stderr}`);
  return out;
}

function kustomize(folder: string): KubernetesObject[] {
  const r = spawnSync(path.join(testenvBinDir(), 'kubectl'), ['kustomize', path.join(MANIFESTS_DIR, folder)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${folder}: ${r.stderr}`);
  return docs(r.stdout);
}

const folders = (readdirSync(MANIFESTS_DIR, { recursive: true }) as string[])
  .filter((f) => path.basename(f) === 'kustomization.yaml')
  .map((f) => path.dirname(f))
  .sort();

const defaults = render({});
const nfs = render({ LAB_STORAGE: 'nfs' });
const full = render({ LAB_PROFILE: 'full' });
const gitopsMode = render({ LAB_GITOPS: 'argocd' });
/** Folders the default settings do not apply, and the settings that do. */
const RENDERED_WITH: Record<string, string> = {
  'storage/nfs': nfs,
  'observability/grafana-loki': full,
  ...Object.fromEntries(Object.values(GITOPS_FOLDERS).map((f) => [f, gitopsMode])),
};

test('there is a kustomize folder for every part the lab applies', (t) => {
  t.deepEqual(folders, [
    'eng-app',
    ...EXERCISES.flatMap((e) => Object.keys(e.manifests()).map((p) => `exercises/${e.name}/${p}`)).sort(),
    ...Object.values(GITOPS_FOLDERS),
    'istio', 'observability/grafana', 'observability/grafana-loki', 'observability/monitors', 'sock-shop', 'storage/hostpath', 'storage/nfs',
  ].sort());
});

for (const folder of folders) {
  test(`lab render (default settings) ≡ kubectl kustomize manifests/${folder}`, (t) => {
    const out = RENDERED_WITH[folder] ?? defaults;
    const rendered = docs(readFileSync(path.join(out, `${folder}.yaml`), 'utf8'));
    const built = kustomize(folder);
    t.true(built.length > 0);
    t.deepEqual(rendered, built, 'same objects, same order');
  });
}

test('render writes nothing that is not a folder (besides the kind config, helmfile\'s releases and the IstioOperator for istioctl)', (t) => {
  const files = (readdirSync(defaults, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
  t.deepEqual(files.filter((f) => !folders.includes(f)).sort(), ['cluster/kind-config', 'helm-releases', 'istio/istio-operator']);
  t.deepEqual(docs(readFileSync(path.join(defaults, 'istio', 'istio-operator.yaml'), 'utf8')), [istioOperator()]);
});

test('the loader refuses a kustomization feature it does not implement, and an order that is not fifo', (t) => {
  const root = tempDir('lab-manifests-');
  cpSync(path.join(MANIFESTS_DIR, 'istio'), path.join(root, 'istio'), { recursive: true });
  const k = path.join(root, 'istio', 'kustomization.yaml');
  const text = readFileSync(k, 'utf8');
  writeFileSync(k, `${text}namePrefix: lab-\n`);
  t.throws(() => loadManifests('istio', { root }), { message: /uses namePrefix, which the lab's loader does not implement/ });
  writeFileSync(k, text.replace('order: fifo', 'order: legacy'));
  t.throws(() => loadManifests('istio', { root }), { message: /must set sortOptions\.order: fifo/ });
});

test("the loader's patches: an inline `$patch: delete` removes that object; any other patch, or one that deletes nothing, is refused", (t) => {
  const root = tempDir('lab-manifests-');
  cpSync(path.join(MANIFESTS_DIR, 'eng-app'), path.join(root, 'eng-app'), { recursive: true });
  cpSync(path.join(MANIFESTS_DIR, 'gitops', 'overlays'), path.join(root, 'gitops', 'overlays'), { recursive: true });
  const folder = GITOPS_FOLDERS.engAppOverlay;
  const base = loadManifests('eng-app', { root });
  const overlay = loadManifests(folder, { root });
  t.deepEqual(overlay, base.filter((o) => o.kind !== 'Secret'), 'the base without its Secret, in the base order');
  const k = path.join(root, folder, 'kustomization.yaml');
  const text = readFileSync(k, 'utf8');
  writeFileSync(k, text.replace('name: eng-app-secret', 'name: no-such-secret'));
  t.throws(() => loadManifests(folder, { root }), { message: /deletes Secret no-such-secret, which its resources do not have/ });
  writeFileSync(k, text.replace('$patch: delete', '$patch: replace'));
  t.throws(() => loadManifests(folder, { root }), { message: /patch 1 is not an inline `\$patch: delete`/ });
});

test("kustomize's env-file rule: comments and blanks skipped, split at the first =, values as written", (t) => {
  t.deepEqual(parseKustomizeEnv('# c\n\nA=1\nB=x=y\n  # indented comment\nC="q"\n'), { A: '1', B: 'x=y', C: '"q"' });
});

test('the gateway NodePorts in the IstioOperator are the ones the kind config maps to 127.0.0.1', (t) => {
  const op = istioOperator() as unknown as { spec: { components: { ingressGateways: Array<{ k8s: { service: { ports: Array<{ name: string; nodePort?: number }> } } }> } } };
  const ports = Object.fromEntries(op.spec.components.ingressGateways[0].k8s.service.ports.filter((p) => p.nodePort).map((p) => [p.name, p.nodePort]));
  t.deepEqual(ports, { http2: INGRESS_NODEPORTS.http, https: INGRESS_NODEPORTS.https });
});

/** Exercises whose checks classify responses otherwise: by the fault's 503 body and latency, by x-lab-route. */
const NOT_BY_VERSION = new Set(['fault-injection', 'retries-timeouts']);

test('every exercise route stamps its version in the header the checks classify by', (t) => {
  for (const e of EXERCISES.filter((x) => !NOT_BY_VERSION.has(x.name))) {
    for (const o of Object.values(e.manifests()).flat().filter((x) => x.kind === 'VirtualService')) {
      for (const r of routesOf(o)) t.deepEqual(r.headers?.response?.set, { [VERSION_HEADER]: r.destination.subset }, `${e.name}: ${r.destination.subset}`);
    }
  }
});
