// The pod watch behind every wait: a final pull error ends the wait naming the image — but only for
// a pod that still counts. A pod of an older ReplicaSet (the bad image a user just fixed, lingering
// while the new rollout replaces it) and a pod being deleted are neither reported nor fatal.
import test from 'ava';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { outdatedForDeployment } from '../../lab/conditions.ts';
import type { Kube } from '../../lab/kube.ts';
import type { ObjRef } from '../../lab/kube.ts';
import { watchPodProblems } from '../../lab/pod-problems.ts';

const REV = 'deployment.kubernetes.io/revision';
const pullError = (name: string, rs: string, deleting = false): V1Pod => ({
  metadata: { name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: rs, controller: true }], ...(deleting ? { deletionTimestamp: new Date() } : {}) },
  status: { containerStatuses: [{ name: 'front-end-v2', image: 'x:bad', ready: false, restartCount: 0, imageID: '', state: { waiting: { reason: 'ErrImagePull', message: 'x:bad: not found' } } }] },
});

/** A Kube whose pod watch delivers `pods` and whose Deployment is at revision 2 (ReplicaSets rs-1, rs-2). */
function kubeWith(pods: V1Pod[]): Kube {
  const objects: Record<string, KubernetesObject> = {
    'Deployment/front-end-v2': { metadata: { name: 'front-end-v2', annotations: { [REV]: '2' } } },
    'ReplicaSet/rs-1': { metadata: { name: 'rs-1', annotations: { [REV]: '1' } } },
    'ReplicaSet/rs-2': { metadata: { name: 'rs-2', annotations: { [REV]: '2' } } },
  };
  return {
    get: async (r: ObjRef) => objects[`${r.kind}/${r.name}`],
    watchList: (_p: string, _q: unknown, on: (o: V1Pod) => void) => { for (const p of pods) setImmediate(() => on(p)); },
  } as unknown as Kube;
}

async function outcome(pods: V1Pod[]): Promise<{ rejected?: string; reported: string[] }> {
  const kube = kubeWith(pods);
  const stop = new AbortController();
  const reported: string[] = [];
  const watch = watchPodProblems(kube, { namespace: 'sock-shop', labelSelector: 'app=front-end', what: 'deployment sock-shop/front-end-v2', report: (l) => reported.push(l), signal: stop.signal, outdated: outdatedForDeployment(kube, 'sock-shop', 'front-end-v2') });
  const settled = await Promise.race([watch.then(() => ({}), (e: Error) => ({ rejected: e.message })), new Promise<object>((r) => setTimeout(() => r({}), 100))]);
  stop.abort();
  return { ...settled, reported };
}

test('a pull error on the current ReplicaSet\'s pod ends the wait, naming the image', async (t) => {
  const o = await outcome([pullError('new', 'rs-2')]);
  t.is(o.rejected, 'deployment sock-shop/front-end-v2 cannot start: image x:bad cannot be pulled (ErrImagePull)');
});

test('the same error on an older ReplicaSet\'s pod, or a pod being deleted, is left alone', async (t) => {
  const o = await outcome([pullError('old', 'rs-1'), pullError('going', 'rs-2', true)]);
  t.deepEqual(o, { reported: [] });
});

test('a pod whose ReplicaSet is already gone does not count either', async (t) => {
  t.deepEqual(await outcome([pullError('orphan', 'rs-0')]), { reported: [] });
});
