// eng_app as seed 004 designs it, with its mistakes fixed; its claims match the lab's PVs.
import test from 'ava';
import path from 'node:path';
import type { KubernetesObject, V1Deployment, V1Job, V1PersistentVolume, V1PersistentVolumeClaim, V1Service } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../../lab/config-keys.ts';
import { readEngAppEnv } from '../../lab/samples/eng-app-secret.ts';
import { renderEngApp, renderSeedOriginalDestinationRule } from '../../lab/samples/eng-app.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { validateObjects } from '../../lab/samples/validate.ts';
import { labVolumes, renderStorage } from '../../lab/steps/storage-objects.ts';
import { REPO } from '../helpers.ts';
import { ISTIO_PORT_NAME, istioSpec } from './mesh-helpers.ts';

const example = path.join(REPO, 'manifests', 'eng-app', 'eng-app.env.example');
const secretValues = readEngAppEnv(example);
const objs = renderEngApp({ secretValues });
const get = <T>(kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o as T;
};
const podSpec = (name: string) => get<V1Deployment>('Deployment', name).spec!.template.spec!;

test('every object passes the schema check, in namespace eng-app', (t) => {
  t.deepEqual(validateObjects(objs), []);
  for (const o of objs.filter((x) => x.kind !== 'Namespace')) t.is(o.metadata!.namespace, 'eng-app', `${o.kind}/${o.metadata!.name}`);
  t.is(get<KubernetesObject>('Namespace', 'eng-app').metadata!.labels!['istio-injection'], 'enabled');
});

test('MySQL: seed image, Recreate, secret env, data claim at /var/lib/mysql, Service port named for TCP', (t) => {
  const d = get<V1Deployment>('Deployment', 'eng-app-mysql');
  t.is(d.spec!.strategy!.type, 'Recreate');
  const c = d.spec!.template.spec!.containers[0];
  t.is(c.image, 'docker.io/mysql:5.7.29');
  t.deepEqual(c.envFrom, [{ secretRef: { name: 'eng-app-secret' } }]);
  const mount = c.volumeMounts!.find((m) => m.mountPath === '/var/lib/mysql')!;
  const vol = d.spec!.template.spec!.volumes!.find((v) => v.name === mount.name)!;
  t.is(vol.persistentVolumeClaim!.claimName, 'eng-app-pvc');
  const svc = get<V1Service>('Service', 'eng-app-mysql-service');
  t.deepEqual(svc.spec!.ports!.map((p) => [p.name, p.port]), [['tcp-mysql', 3306]]);
  t.deepEqual(svc.spec!.selector, { app: 'eng-app-mysql' });
});

test('app: seed image and start command, port 3000, v1 labels, data claim read-only at /mnt', (t) => {
  const d = get<V1Deployment>('Deployment', 'eng-app-app');
  t.like(d.spec!.template.metadata!.labels, { app: 'eng-app-app', version: 'v1' });
  const c = d.spec!.template.spec!.containers[0];
  t.is(c.image, 'docker.io/miyakz1192/eng_app:1', 'the document\'s image');
  t.is(c.image, 'docker.io/miyakz1192/eng_app:1');
  t.deepEqual(c.ports!.map((p) => p.containerPort), [3000]);
  t.regex(c.command!.join(' '), /ln -s \/mnt\/voice\/ voice; cd \/english_study_app\/eng_app\/; exec rails s -b=0\.0\.0\.0$/);
  t.deepEqual(c.envFrom, [{ secretRef: { name: 'eng-app-secret' } }]);
  t.deepEqual(c.volumeMounts, [{ name: 'eng-app-data', mountPath: '/mnt', readOnly: true }]);
  t.is(podSpec('eng-app-app').volumes![0].persistentVolumeClaim!.claimName, 'eng-app-data-pvc');
  const svc = get<V1Service>('Service', 'eng-app-app-service');
  t.deepEqual(svc.spec!.ports!.map((p) => [p.name, p.port, p.targetPort]), [['http-web', 3000, 3000]]);
  t.deepEqual(svc.spec!.selector, { app: 'eng-app-app' });
});

test('the app image is configurable (the Job uses the same image)', (t) => {
  const other = renderEngApp({ secretValues, appImage: 'registry.local/eng_app:2' });
  const images = other.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').flatMap((o) => (o as V1Deployment).spec!.template.spec!.containers.map((c) => c.image));
  t.true(images.includes('registry.local/eng_app:2'));
  t.is(images.filter((i) => i === 'registry.local/eng_app:2').length, 2);
});

test('every Service port name carries an Istio protocol prefix', (t) => {
  for (const s of objs.filter((o) => o.kind === 'Service') as V1Service[]) {
    for (const p of s.spec!.ports!) t.regex(p.name!, ISTIO_PORT_NAME, s.metadata!.name);
  }
});

test('PVCs match the lab PVs exactly: class, access mode, size, volumeName, and the PV claimRef', (t) => {
  for (const v of labVolumes()) {
    const pv = renderStorage('hostpath').find((o) => o.kind === 'PersistentVolume' && o.metadata?.name === v.name) as V1PersistentVolume;
    const pvc = get<V1PersistentVolumeClaim>('PersistentVolumeClaim', v.claim.name);
    t.is(pvc.metadata!.namespace, v.claim.namespace);
    t.is(pvc.spec!.storageClassName, pv.spec!.storageClassName);
    t.deepEqual(pvc.spec!.accessModes, pv.spec!.accessModes);
    t.is(pvc.spec!.resources!.requests!.storage, pv.spec!.capacity!.storage);
    t.is(pvc.spec!.volumeName, pv.metadata!.name);
    t.like(pv.spec!.claimRef, { name: pvc.metadata!.name, namespace: pvc.metadata!.namespace });
  }
  t.deepEqual(objs.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata!.name).sort(), ['eng-app-data-pvc', 'eng-app-pvc']);
});

test('db-init Job: no sidecar, waits for MySQL, runs the Rails DB tasks with the secret and data', (t) => {
  const job = get<V1Job>('Job', 'eng-app-db-init-job');
  const pod = job.spec!.template;
  t.is(pod.metadata!.labels!['sidecar.istio.io/inject'], 'false');
  t.is(pod.spec!.restartPolicy, 'Never');
  t.regex(pod.spec!.initContainers![0].command!.join(' '), /mysqladmin ping -h "\$DATABASE_DEV_HOST"/);
  const c = pod.spec!.containers[0];
  t.regex(c.command!.join(' '), /rails db:create && rails db:migrate && rails db:seed/);
  t.deepEqual(c.envFrom, [{ secretRef: { name: 'eng-app-secret' } }]);
  t.is(pod.spec!.volumes![0].persistentVolumeClaim!.claimName, 'eng-app-data-pvc');
});

test('every pod runs on the app node group', (t) => {
  const pods = [podSpec('eng-app-mysql'), podSpec('eng-app-app'), get<V1Job>('Job', 'eng-app-db-init-job').spec!.template.spec!];
  for (const p of pods) t.like(p.nodeSelector, { 'kubernetes.io/os': 'linux', [NODEGROUP_LABEL]: 'app' });
});

test('Istio: gateway → VirtualService → subset v1 of eng-app-app-service, mutual TLS', (t) => {
  const gw = istioSpec(objs, 'Gateway', 'eng-app-gateway');
  t.deepEqual(gw.selector, { istio: 'ingressgateway' });
  t.deepEqual(gw.servers[0].port, { number: 80, name: 'http', protocol: 'HTTP' });
  const vs = istioSpec(objs, 'VirtualService', 'eng-app-virtual-service');
  t.deepEqual(vs.gateways, ['eng-app-gateway']);
  t.deepEqual(vs.hosts, gw.servers[0].hosts);
  t.deepEqual(vs.http[0].route[0].destination, { host: 'eng-app-app-service', subset: 'v1', port: { number: 3000 } });
  const dr = istioSpec(objs, 'DestinationRule', 'eng-app-destination-rules');
  t.is(dr.host, 'eng-app-app-service');
  t.deepEqual(dr.subsets, [{ name: 'v1', labels: { version: 'v1' } }]);
  t.deepEqual(dr.trafficPolicy, { tls: { mode: 'ISTIO_MUTUAL' } });
});

test('VirtualService host: eng-app.localhost (sock-shop owns "*")', (t) => {
  t.deepEqual(istioSpec(objs, 'VirtualService', 'eng-app-virtual-service').hosts, ['eng-app.localhost']);
  t.deepEqual(istioSpec(objs, 'Gateway', 'eng-app-gateway').servers[0].hosts, ['eng-app.localhost']);
});

// Two Gateways on the same ingress port with the same host merge into one Envoy virtual host and
// one app's routes shadow the other's; istioctl analyze 1.30 does not report it, so check here.
test('sock-shop and eng-app never claim the same host on the ingress port', (t) => {
  const hosts = (o: KubernetesObject[]) =>
    o.filter((x) => x.kind === 'Gateway').flatMap((g) => (g as unknown as { spec: { servers: { hosts: string[] }[] } }).spec.servers.flatMap((s) => s.hosts));
  const shop = hosts(renderSockShop());
  t.deepEqual(hosts(objs).filter((h) => shop.includes(h)), []);
});

test('the seed\'s original DestinationRule is kept verbatim, with its wrong host', (t) => {
  const dr = renderSeedOriginalDestinationRule();
  t.is(dr.apiVersion, 'networking.istio.io/v1alpha3');
  t.is((dr as unknown as { spec: { host: string } }).spec.host, 'eng-app-app');
  t.deepEqual(validateObjects([dr]), []); // schema-valid: only a mesh-aware check can catch it
  t.false(objs.some((o) => o.kind === 'Service' && o.metadata!.name === 'eng-app-app'));
});
