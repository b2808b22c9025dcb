// Sock-shop's rendered objects: valid, complete, and shaped for the mesh exercises.
import test from 'ava';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../../lab/config-keys.ts';
import { MANAGED_BY } from '../../lab/kube.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { validateObjects } from '../../lab/samples/validate.ts';
import { ISTIO_PORT_NAME, istioSpec } from './mesh-helpers.ts';

const objs = renderSockShop();
const ofKind = <T>(kind: string, list: KubernetesObject[] = objs) => list.filter((o) => o.kind === kind) as T[];
const deployments = ofKind<V1Deployment>('Deployment');
const services = ofKind<V1Service>('Service');
const byName = <T extends KubernetesObject>(list: T[], name: string) => list.find((o) => o.metadata?.name === name)!;

const UPSTREAM = [
  'front-end', 'carts', 'carts-db', 'catalogue', 'catalogue-db', 'orders', 'orders-db',
  'payment', 'queue-master', 'rabbitmq', 'session-db', 'shipping', 'user', 'user-db',
];

test('every object passes the schema check', (t) => {
  t.deepEqual(validateObjects(objs), []);
});

test('the 14 upstream Deployments, front-end-v2, and a Service per app', (t) => {
  t.deepEqual(deployments.map((d) => d.metadata!.name).sort(), [...UPSTREAM, 'front-end-v2'].sort());
  t.deepEqual(services.map((s) => s.metadata!.name).sort(), [...UPSTREAM].sort());
});

test('namespace sock-shop with sidecar injection; every object managed by the lab, in sock-shop', (t) => {
  const ns = byName(ofKind<KubernetesObject>('Namespace'), 'sock-shop');
  t.is(ns.metadata!.labels!['istio-injection'], 'enabled');
  for (const o of objs) {
    t.like(o.metadata!.labels, MANAGED_BY, `${o.kind}/${o.metadata!.name}`);
    if (o.kind !== 'Namespace') t.is(o.metadata!.namespace, 'sock-shop');
  }
});

test('every Service port name carries an Istio protocol prefix', (t) => {
  for (const s of services) {
    for (const p of s.spec!.ports!) t.regex(p.name ?? '', ISTIO_PORT_NAME, `${s.metadata!.name}:${p.port}`);
  }
  t.deepEqual(byName(services, 'rabbitmq').spec!.ports!.map((p) => p.name), ['tcp-amqp', 'http-metrics']);
});

test('every pod runs on the app node group (linux, non-beta label) with app + version labels', (t) => {
  for (const d of deployments) {
    const pod = d.spec!.template;
    t.deepEqual(pod.spec!.nodeSelector, { 'kubernetes.io/os': 'linux', [NODEGROUP_LABEL]: 'app' }, d.metadata!.name);
    t.truthy(pod.metadata!.labels!.app, d.metadata!.name);
    t.regex(pod.metadata!.labels!.version ?? '', /^v\d+$/, d.metadata!.name);
    t.like(pod.metadata!.labels, d.spec!.selector.matchLabels!, `${d.metadata!.name}: selector matches its pods`);
  }
});

test('Service selectors exclude version, so front-end v1 and v2 share the front-end Service', (t) => {
  for (const s of services) t.false('version' in s.spec!.selector!, s.metadata!.name);
  const sel = byName(services, 'front-end').spec!.selector!;
  for (const name of ['front-end', 'front-end-v2']) t.like(byName(deployments, name).spec!.template.metadata!.labels, sel);
});

test('front-end v1 and v2 Deployments do not overlap (selectors differ by version)', (t) => {
  const v1 = byName(deployments, 'front-end');
  const v2 = byName(deployments, 'front-end-v2');
  t.deepEqual(v1.spec!.selector.matchLabels, { app: 'front-end', version: 'v1' });
  t.deepEqual(v2.spec!.selector.matchLabels, { app: 'front-end', version: 'v2' });
});

test("front-end-v2 image: v1's published image by default (the routes tell versions apart), configurable", (t) => {
  const image = (o: KubernetesObject[]) => byName(ofKind<V1Deployment>('Deployment', o), 'front-end-v2').spec!.template.spec!.containers[0].image;
  const v1 = byName(ofKind<V1Deployment>('Deployment', objs), 'front-end').spec!.template.spec!.containers[0].image;
  t.is(image(objs), v1, 'front-end:red-buttons is in no build script of front-end: not a default');
  t.is(image(renderSockShop({ frontEndV2Image: 'registry.local/front-end:yellow' })), 'registry.local/front-end:yellow');
});

test('mongo is pinned to 4.x everywhere it is used', (t) => {
  const mongo = deployments.flatMap((d) => d.spec!.template.spec!.containers).filter((c) => /(^|\/)mongo:/.test(c.image!));
  t.deepEqual(mongo.map((c) => c.name).sort(), ['carts-db', 'orders-db']);
  for (const c of mongo) t.regex(c.image!, /:4(\.\d+)*$/);
});

test('every image is pinned (no untagged image) and every container has requests and a memory limit', (t) => {
  for (const c of deployments.flatMap((d) => d.spec!.template.spec!.containers)) {
    t.regex(c.image!, /:[\w.-]+$/, c.name);
    t.truthy(c.resources?.requests?.cpu && c.resources.requests.memory && c.resources.limits?.memory, c.name);
  }
});

test('slow starters get a startupProbe with at least upstream\'s 300 s of patience', (t) => {
  for (const name of ['front-end', 'catalogue', 'payment', 'user', 'carts', 'orders', 'shipping', 'queue-master']) {
    const c = byName(deployments, name).spec!.template.spec!.containers[0];
    const p = c.startupProbe!;
    t.true((p.periodSeconds ?? 10) * (p.failureThreshold ?? 3) >= 300, name);
    t.truthy(c.readinessProbe && c.livenessProbe, name);
  }
});

test('Gateway, VirtualService and DestinationRule: all traffic to front-end v1, v2 wired at 0', (t) => {
  const gw = istioSpec(objs, 'Gateway', 'sock-shop-gateway');
  t.deepEqual(gw.selector, { istio: 'ingressgateway' });
  t.deepEqual(gw.servers, [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }]);
  const vs = istioSpec(objs, 'VirtualService', 'front-end');
  t.deepEqual(vs.gateways, ['sock-shop-gateway']);
  t.deepEqual(
    vs.http[0].route.map((r: any) => [r.destination.host, r.destination.subset, r.weight]),
    [['front-end', 'v1', 100], ['front-end', 'v2', 0]],
  );
  const dr = istioSpec(objs, 'DestinationRule', 'front-end');
  t.is(dr.host, 'front-end');
  t.deepEqual(dr.subsets, [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }]);
});
