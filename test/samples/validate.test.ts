// The validator must reject broken objects: one that accepts everything would make every
// "renders valid objects" test meaningless.
import test from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { validateObject, validateObjects } from '../../lab/samples/validate.ts';

const obj = (o: Record<string, unknown>) => o as unknown as KubernetesObject;

const goodService = obj({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'demo' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
});
const goodDeployment = obj({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'demo' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
  },
});

test('valid objects pass', (t) => {
  t.deepEqual(validateObjects([goodService, goodDeployment]), []);
});

const broken: [string, KubernetesObject, RegExp][] = [
  ['Service port without port', obj({ ...goodService, spec: { ports: [{ name: 'http' }] } }), /^Service\/demo\/web: spec\/ports\/0 must have required property port/],
  ['Deployment with string replicas', obj({ ...goodDeployment, spec: { ...(goodDeployment as any).spec, replicas: '1' } }), /^Deployment\/demo\/web: spec\/replicas must be integer/],
  ['Deployment without selector', obj({ ...goodDeployment, spec: { template: (goodDeployment as any).spec.template } }), /selector/],
  ['container without name', obj({ ...goodDeployment, spec: { ...(goodDeployment as any).spec, template: { spec: { containers: [{ image: 'x' }] } } } }), /name/],
  ['wrong apiVersion', obj({ ...goodService, apiVersion: 'v2' }), /no schema for v2\/Service/],
  ['unknown kind', obj({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), /no schema for example\.com\/v1\/Widget/],
  ['no name', obj({ apiVersion: 'v1', kind: 'Namespace', metadata: {} }), /metadata\.name is required/],
  [
    'Gateway port number as string',
    obj({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: { servers: [{ port: { number: '80' }, hosts: ['*'] }] } }),
    /number must be integer/,
  ],
  [
    'DestinationRule with a bad TLS mode',
    obj({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'd' }, spec: { host: 'h', trafficPolicy: { tls: { mode: 'MUTUALISH' } } } }),
    /tls\/mode must be equal to one of the allowed values/,
  ],
  ['DestinationRule without host', obj({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'd' }, spec: {} }), /spec\.host is required/],
  [
    'VirtualService weights not summing to 100',
    obj({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'v' },
      spec: { hosts: ['*'], http: [{ route: [{ destination: { host: 'a' }, weight: 80 }, { destination: { host: 'a' }, weight: 30 }] }] },
    }),
    /weights sum to 110/,
  ],
];

for (const [what, o, want] of broken) {
  test(`reports: ${what}`, (t) => {
    const problems = validateObject(o);
    t.true(problems.some((p) => want.test(p)), problems.join('\n') || '(no problems reported)');
  });
}

test('the same object twice is reported', (t) => {
  t.true(validateObjects([goodService, goodService]).some((p) => p.includes('rendered twice')));
});
