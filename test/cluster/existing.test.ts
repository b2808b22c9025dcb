// LAB_PROVIDER=existing against a cluster the lab did not create (a bare control plane with KWOK
// nodes, started directly): a mesh already there, a namespace the lab would create already there,
// and nodes without node-group labels are all reported at once, before anything is applied.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { V1Namespace, V1Node } from '@kubernetes/client-node';
import { Kube } from '../../lab/kube.ts';
import { fakeNode } from '../../lab/providers/sim.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { startKwokCluster, stopKwokCluster } from '../../lab/testenv/cluster.ts';
import { tempDir } from '../helpers.ts';
import { lab, requireTestenv, type SimProject } from './harness.ts';

const name = `users-${process.pid.toString(36)}`;
const root = tempDir('lab-existing-');
const workdir = path.join(root, 'kwok');
const kubeconfig = path.join(root, 'users-kubeconfig');
const P: SimProject = {
  root,
  name,
  kubeconfig,
  context: `kwok-${name}`,
  env: { LAB_PROVIDER: 'existing', LAB_CONTEXT: `kwok-${name}`, LAB_KUBECONFIG: kubeconfig, PATH: `${testenvBinDir()}:${process.env.PATH}` },
};
let k: Kube;

test.before(async () => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  mkdirSync(workdir, { recursive: true });
  await startKwokCluster({ name, kubeconfig, workdir });
  k = Kube.fromFile(kubeconfig, P.context);
  // The user's cluster: four workers without node groups, their own Istio, their own sock-shop.
  const nodes = [`${name}-cp`, `${name}-w1`, `${name}-w2`, `${name}-w3`, `${name}-w4`].map((n, i) => {
    const node = fakeNode(n, i === 0 ? undefined : 'app');
    delete node.metadata!.labels!['node.kubernetes.io/nodegroup'];
    delete node.metadata!.labels!['app.kubernetes.io/managed-by'];
    return node;
  });
  await k.apply(nodes);
  await k.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sock-shop', labels: { team: 'shop' } } }]);
  await k.apply([{
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod', 'istio.io/rev': 'default' } },
    spec: { selector: { matchLabels: { app: 'istiod' } }, template: { metadata: { labels: { app: 'istiod' } }, spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.29.2' }] } } },
  } as never]);
});

test.after.always(async () => {
  await stopKwokCluster(name, { kubeconfig, workdir }).catch(() => {});
});

const labObjects = async () => ({
  storageClasses: (await k.list('storage.k8s.io/v1', 'StorageClass', { labelSelector: 'app.kubernetes.io/managed-by=cloud-native-lab' })).length,
  pvs: (await k.list('v1', 'PersistentVolume')).length,
  namespaces: (await k.list<V1Namespace>('v1', 'Namespace')).map((n) => n.metadata!.name!).sort(),
  labelled: (await k.list<V1Node>('v1', 'Node')).filter((n) => n.metadata?.labels?.['node.kubernetes.io/nodegroup']).length,
});

test.serial('every problem at once, before anything is applied: the mesh, the namespace, the node groups', async (t) => {
  const before = await labObjects();
  const r = lab(P, ['up']);
  t.is(r.code, 1, r.err);
  t.regex(r.err, new RegExp(`ERROR: step cluster: context kwok-${name} is not safe for the lab as it is \\(3 problems\\); nothing was changed`));
  t.regex(r.err, /the cluster already has a service mesh the lab did not install \(istiod Deployment istio-system\/istiod \(revision default\)\); the lab will not run istioctl install over it\. .*--overwrite-mesh/);
  t.regex(r.err, /namespace sock-shop already exists and the lab did not create it; the lab does not adopt it \(lab down would delete it\)/);
  t.regex(r.err, /no node carries node\.kubernetes\.io\/nodegroup=app\|deploy\|ingress\|system, so the lab's pods would never be scheduled\. Label one node per group \(kubectl --context kwok-users-\w+ label node <node> node\.kubernetes\.io\/nodegroup=app\), or pass --label-nodes/);
  t.deepEqual(await labObjects(), before, 'nothing written: no StorageClass, no PV, no namespace, no label');
  const ns = await k.get<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: 'sock-shop' });
  t.deepEqual(ns?.metadata?.labels, { team: 'shop', 'kubernetes.io/metadata.name': 'sock-shop' }, 'the user\'s namespace was not adopted');
});

test.serial('--label-nodes and --overwrite-mesh answer two of them; the namespace still stops it', (t) => {
  const r = lab(P, ['up', '--label-nodes', '--overwrite-mesh']);
  t.is(r.code, 1);
  t.regex(r.err, /\(1 problem\); nothing was changed/);
  t.regex(r.err, /namespace sock-shop already exists/);
});

test.serial('lab down on that cluster deletes nothing of the user\'s', async (t) => {
  const r = lab(P, ['down']);
  t.is(r.code, 0, r.err);
  t.truthy(await k.get({ apiVersion: 'v1', kind: 'Namespace', name: 'sock-shop' }));
  t.truthy(await k.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istiod' }));
  t.is((await k.list('v1', 'Node')).length, 5);
});
