// Saving and restoring: what gets re-applied (no server fields, no controller annotations), what
// must come back, and the snapshot over the in-memory API: exact restore, deletion of what the
// exercise created, and a restore that does not hold is a failed assertion, not silence.
import test from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { CARTS_REF, DR_REF, GATEWAY_REF, gatewayWithStats, phaseObject, VS_REF, weightsOf, withReplicas } from '../../lab/exercises/front-end-mesh.ts';
import { jsonDiff, restoreForm, Snapshot, stateOf } from '../../lab/exercises/snapshot.ts';
import { FakeMesh, GATEWAY_DEPLOYMENT } from './fake-mesh.ts';

const LIVE = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: {
    name: 'carts', namespace: 'sock-shop', uid: 'u-1', resourceVersion: '812', generation: 4, creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'cloud-native-lab' }], finalizers: ['x'],
    labels: { app: 'carts' }, annotations: { 'deployment.kubernetes.io/revision': '3', team: 'shop' },
  },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'carts', image: 'weaveworksdemos/carts:0.4.8' }] } } },
  status: { availableReplicas: 1 },
} as unknown as KubernetesObject;

test('restoreForm: the complete object minus status and server-written metadata', (t) => {
  t.deepEqual(restoreForm(LIVE), {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'carts', namespace: 'sock-shop', labels: { app: 'carts' }, annotations: { team: 'shop' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'carts', image: 'weaveworksdemos/carts:0.4.8' }] } } },
  });
  t.is((LIVE as { status?: unknown }).status !== undefined, true, 'the input is not modified');
});

test('stateOf compares spec, labels and own annotations; the revision a controller bumps is ignored', (t) => {
  const later = structuredClone(LIVE) as KubernetesObject;
  later.metadata!.annotations!['deployment.kubernetes.io/revision'] = '5';
  later.metadata!.resourceVersion = '999';
  t.deepEqual(jsonDiff(stateOf(LIVE), stateOf(later)), []);
  (later as { spec: { replicas: number } }).spec.replicas = 0;
  later.metadata!.labels!.extra = 'y';
  t.deepEqual(jsonDiff(stateOf(LIVE), stateOf(later)), ['labels.extra: (absent) → "y"', 'spec.replicas: 1 → 0']);
});

test('jsonDiff names the path of each difference, arrays by index', (t) => {
  const a = phaseObject('blue-green', 'blue', 'VirtualService').spec;
  const b = phaseObject('traffic-split', '80-20', 'VirtualService').spec;
  t.deepEqual(jsonDiff(a, b), ['http[0].route[0].weight: 100 → 80', 'http[0].route[1].weight: 0 → 20']);
  t.is(jsonDiff({ a: 1 }, { a: 2, b: 3, c: 4 }, '', 2).length, 2, 'bounded');
});

test('snapshot: re-applies the recorded objects exactly and deletes what did not exist', async (t) => {
  const mesh = new FakeMesh();
  const snap = new Snapshot();
  const created = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'sock-shop', name: 'carts' };
  await snap.save(mesh, [VS_REF, CARTS_REF, created]);
  await snap.save(mesh, [VS_REF]);
  t.is(snap.size, 3, 'a ref is recorded once');
  await mesh.apply([phaseObject('blue-green', 'green', 'VirtualService'), withReplicas(snap.saved(CARTS_REF)!, 0)]);
  await mesh.apply([{ apiVersion: created.apiVersion, kind: created.kind, metadata: { name: 'carts', namespace: 'sock-shop' }, spec: { host: 'carts' } } as KubernetesObject]);
  const results = await snap.restore(mesh);
  t.deepEqual(results.map((r) => [r.name, r.status]), [
    ['DestinationRule/sock-shop/carts (created by the exercise) deleted', 'pass'],
    ['Deployment/sock-shop/carts restored exactly', 'pass'],
    ['VirtualService/sock-shop/front-end restored exactly', 'pass'],
  ]);
  t.deepEqual(weightsOf((await mesh.get(VS_REF))!), { v1: 100, v2: 0 });
  t.is(await mesh.get(created), undefined);
  t.deepEqual(mesh.applies.slice(-2), ['Deployment/sock-shop/carts', 'VirtualService/sock-shop/front-end'], 'reverse order');
});

test('snapshot: a restore that does not hold is a failed assertion with the difference', async (t) => {
  const mesh = new FakeMesh();
  const snap = new Snapshot();
  await snap.save(mesh, [DR_REF]);
  const apply = mesh.apply.bind(mesh);
  mesh.apply = async (objs) => apply(objs.map((o) => ({ ...o, spec: { ...(o as { spec: object }).spec, host: 'tampered' } }) as KubernetesObject));
  const [r] = await snap.restore(mesh);
  t.is(r.status, 'fail');
  t.is(r.actual, 'differs: spec.host: "front-end" → "tampered"');
  mesh.apply = async () => { throw new Error('API down'); };
  const [e] = await snap.restore(mesh);
  t.deepEqual([e.status, e.reason], ['fail', 'restoring DestinationRule/sock-shop/front-end: API down']);
});

test('gatewayWithStats adds the overflow suffix to the pods\' ProxyConfig, keeps what is there, and is idempotent', (t) => {
  const withStats = gatewayWithStats(GATEWAY_DEPLOYMENT)!;
  const ann = withStats.spec!.template.metadata!.annotations!;
  t.is(ann['sidecar.istio.io/inject'], 'false');
  t.deepEqual(parse(ann['proxy.istio.io/config']), { proxyStatsMatcher: { inclusionSuffixes: ['upstream_rq_pending_overflow'] } });
  t.is(gatewayWithStats(withStats), undefined, 'already there: no change, no rollout');
  const custom = structuredClone(GATEWAY_DEPLOYMENT) as typeof withStats;
  custom.spec!.template.metadata!.annotations!['proxy.istio.io/config'] = 'holdApplicationUntilProxyStarts: true\nproxyStatsMatcher:\n  inclusionSuffixes: [rbac.allowed]\n';
  t.deepEqual(parse(gatewayWithStats(custom)!.spec!.template.metadata!.annotations!['proxy.istio.io/config']), {
    holdApplicationUntilProxyStarts: true,
    proxyStatsMatcher: { inclusionSuffixes: ['rbac.allowed', 'upstream_rq_pending_overflow'] },
  });
  t.is(GATEWAY_REF.name, withStats.metadata!.name!);
});
