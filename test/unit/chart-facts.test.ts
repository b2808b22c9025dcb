// The pure pieces `scripts/charts.ts refresh` builds the contract from: facts off rendered
// manifests, what prometheus-operator makes of a Prometheus/Alertmanager resource, key paths from a
// CRD schema, and which Service a URL names.
import test from 'ava';
import { inClusterTarget } from '../../lab/charts/contract.ts';
import { operatorObjects, reloaderFlags } from '../../lab/charts/operator-facts.ts';
import { grafanaDatasourcesOf, servicesOf, workloadsOf, type RenderedObject } from '../../lab/charts/render-facts.ts';
import { schemaKeys } from '../../lab/charts/schema-keys.ts';
import { encodePath } from '../../lab/charts/key-paths.ts';

const operatorDeployment = (args: string[]): RenderedObject => ({
  kind: 'Deployment',
  metadata: { name: 'op' },
  spec: { template: { spec: { containers: [{ name: 'operator', image: 'op:1', args }] } } },
});

test('reloader flags: "0" means none; the image comes from --prometheus-config-reloader', (t) => {
  const f = reloaderFlags(['--prometheus-config-reloader=r:1', '--config-reloader-cpu-request=10m', '--config-reloader-cpu-limit=0', '--config-reloader-memory-request=0', '--config-reloader-memory-limit=64Mi']);
  t.deepEqual(f, { image: 'r:1', requests: { cpu: '10m' }, limits: { memory: '64Mi' } });
});

test('the operator makes a StatefulSet with init-config-reloader, the server and config-reloader; Alertmanager gets 200Mi when it asks for no memory', (t) => {
  const objs: RenderedObject[] = [
    operatorDeployment(['--prometheus-config-reloader=r:1', '--config-reloader-memory-request=24Mi']),
    { kind: 'Prometheus', metadata: { name: 'p', namespace: 'm' }, spec: { image: 'prom:3', nodeSelector: { a: 'b' }, resources: { requests: { cpu: '1' } }, portName: 'http-web' } },
    { kind: 'Alertmanager', metadata: { name: 'a' }, spec: { image: 'am:1' } },
  ];
  const { workloads, services } = operatorObjects(objs, 'rel-ns');
  t.deepEqual(workloads.map((w) => [w.name, w.namespace, w.containers.map((c) => `${c.init ? 'init:' : ''}${c.name}=${c.image}`)]), [
    ['prometheus-p', 'm', ['init:init-config-reloader=r:1', 'prometheus=prom:3', 'config-reloader=r:1']],
    ['alertmanager-a', 'rel-ns', ['init:init-config-reloader=r:1', 'alertmanager=am:1', 'config-reloader=r:1']],
  ]);
  t.deepEqual(workloads[0].nodeSelector, { a: 'b' });
  t.deepEqual(workloads[1].containers[1].requests, { memory: '200Mi' });
  t.deepEqual(workloads[0].containers[0].requests, { memory: '24Mi' });
  t.deepEqual(services.map((s) => `${s.namespace}/${s.name}:${s.ports.map((p) => `${p.name}=${p.port}`).join(',')}`), [
    'm/prometheus-operated:http-web=9090',
    'rel-ns/alertmanager-operated:web=9093,tcp-mesh=9094,udp-mesh=9094',
  ]);
  t.throws(() => operatorObjects(objs.slice(1), 'x'), { message: /no operator Deployment/ });
  t.deepEqual(operatorObjects([operatorDeployment([])], 'x'), { workloads: [], services: [] });
});

test('rendered facts: the release namespace when none is set, targetPort defaults to the port, DaemonSets have no replica count', (t) => {
  const objs: RenderedObject[] = [
    { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'u', port: 53, targetPort: 'dns', protocol: 'UDP' }] } },
    { kind: 'DaemonSet', metadata: { name: 'd', namespace: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i:1', resources: { requests: { cpu: '1' } } }] } } } },
    { kind: 'Deployment', metadata: { name: 'dep' }, spec: { template: { spec: { initContainers: [{ name: 'i', image: 'i:2' }], containers: [{ name: 'c', image: 'i:1' }] } } } },
  ];
  t.deepEqual(servicesOf(objs, 'ns')[0].ports, [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }, { name: 'u', port: 53, targetPort: 'dns', protocol: 'UDP' }]);
  t.is(servicesOf(objs, 'ns')[0].namespace, 'ns');
  const [ds, dep] = workloadsOf(objs, 'ns');
  t.is(ds.replicas, null);
  t.is(ds.namespace, 'x');
  t.is(dep.replicas, 1, 'a Deployment without spec.replicas runs one');
  t.deepEqual(dep.containers.map((c) => [c.name, c.init]), [['i', true], ['c', false]]);
});

test('Grafana datasources come from ConfigMaps with the sidecar label only', (t) => {
  const ds = 'apiVersion: 1\ndatasources:\n- name: P\n  type: prometheus\n  uid: p\n  url: http://x.y:9090/\n  isDefault: true\n';
  const objs: RenderedObject[] = [
    { kind: 'ConfigMap', metadata: { name: 'a', labels: { grafana_datasource: '1' } }, data: { 'datasource.yaml': ds } },
    { kind: 'ConfigMap', metadata: { name: 'b' }, data: { 'datasource.yaml': ds.replace('name: P', 'name: Q') } },
  ];
  t.deepEqual(grafanaDatasourcesOf(objs), [{ name: 'P', type: 'prometheus', uid: 'p', url: 'http://x.y:9090/', isDefault: true }]);
});

test('schema keys: every property, and open objects as free-form', (t) => {
  const k = schemaKeys({
    type: 'object',
    properties: {
      a: { type: 'object', properties: { b: { type: 'string' } } },
      m: { type: 'object', additionalProperties: { type: 'string' } },
      x: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  });
  t.deepEqual(k.known.map(encodePath), ['a', 'a.b', 'm', 'x']);
  t.deepEqual(k.freeForm.map(encodePath), ['m', 'x']);
});

test('inClusterTarget: the forms one pod gives another, and what is not one', (t) => {
  t.deepEqual(inClusterTarget('http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push'), { service: 'loki', namespace: 'monitoring', port: 3100, path: '/loki/api/v1/push' });
  t.deepEqual(inClusterTarget('jaeger.monitoring.svc.cluster.local:4317'), { service: 'jaeger', namespace: 'monitoring', port: 4317, path: '' });
  t.deepEqual(inClusterTarget('http://kube-prometheus-stack-prometheus.monitoring:9090/'), { service: 'kube-prometheus-stack-prometheus', namespace: 'monitoring', port: 9090, path: '' });
  t.is(inClusterTarget('http://grafana.monitoring.svc')?.port, 80, 'http without a port is 80');
  t.is(inClusterTarget('http://127.0.0.1:8000'), undefined);
  t.is(inClusterTarget('http://prometheus:9090'), undefined, 'a bare name says no namespace');
  t.is(inClusterTarget('http://grafana.example.com:80'), undefined, 'not a cluster domain');
});
