// Readiness as the API reports it, and watch-based waits for it: shared by every step. A wait for
// a Deployment or Job also watches its pods: their waiting reasons are reported as soon as they
// appear, and an image that cannot be pulled ends the wait at once, naming the image.
import type { KubernetesObject, V1CustomResourceDefinition, V1DaemonSet, V1Deployment, V1Job, V1Pod, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import { API_CONCURRENCY, mapLimit } from './concurrency.ts';
import { LabError } from './errors.ts';
import type { Kube } from './kube.ts';
import { containerProblems, describeProblem, watchPodProblems } from './pod-problems.ts';

type WithConditions = { status?: { conditions?: Array<{ type: string; status: string }> } };
const has = (o: WithConditions, type: string) => (o.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

export const isAvailable = (d: V1Deployment) => has(d as WithConditions, 'Available');
/** Available *and* every replica runs the current template: a new ReplicaSet stuck on a bad image
 * leaves the old pod up and the Deployment Available, but not rolled out. */
export const isRolledOut = (d: V1Deployment) => {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return isAvailable(d) && (d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0) &&
    (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
};
export const isComplete = (j: V1Job) => has(j as WithConditions, 'Complete');
/** Every replica ready and on the current revision (what `kubectl rollout status` waits for). */
export const isStatefulSetReady = (s: V1StatefulSet) => {
  const want = s.spec?.replicas ?? 1;
  const st = s.status ?? { replicas: 0 };
  return (s.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0) && (st.readyReplicas ?? 0) === want && (st.updatedReplicas ?? 0) === want;
};
/** Scheduled on every node it should be, each pod updated and ready. */
export const isDaemonSetReady = (d: V1DaemonSet) => {
  const st = d.status;
  if (!st) return false;
  return (d.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0) && st.numberReady === st.desiredNumberScheduled && (st.updatedNumberScheduled ?? 0) === st.desiredNumberScheduled;
};
export const isEstablished = (c: V1CustomResourceDefinition) => has(c as WithConditions, 'Established');

export interface WaitOptions {
  /** Problems seen while waiting (one line each, as they appear). Default: none reported. */
  report?: (line: string) => void;
  /** A pull error not known to be final is given this long. Default 90 s. */
  pullGraceMs?: number;
}

/** The object's own wait, raced with its pods' problems; the pod watch ends with the wait. */
async function waitWithPods<T>(kube: Kube, what: string, namespace: string, labelSelector: string | undefined, wait: (signal: AbortSignal) => Promise<T>, o: WaitOptions, outdated?: (pod: V1Pod) => Promise<boolean>): Promise<T> {
  const stop = new AbortController();
  try {
    const waits: Array<Promise<T>> = [wait(stop.signal)];
    if (labelSelector) waits.push(watchPodProblems(kube, { namespace, labelSelector, what, report: o.report ?? (() => {}), signal: stop.signal, pullGraceMs: o.pullGraceMs, outdated }));
    return await Promise.race(waits);
  } finally {
    stop.abort();
  }
}

const REVISION = 'deployment.kubernetes.io/revision';

/** A pod of a ReplicaSet older than the Deployment's current revision: the rollout that replaces
 * it is under way (e.g. a bad image just fixed — its ErrImagePull pod lingers a moment). */
export function outdatedForDeployment(kube: Kube, namespace: string, name: string): (pod: V1Pod) => Promise<boolean> {
  const known = new Set<string>(); // ReplicaSets found outdated: they stay so (revisions only grow)
  return async (pod) => {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.kind === 'ReplicaSet');
    if (!owner) return false;
    if (known.has(owner.name)) return true;
    const [dep, rs] = await Promise.all([
      kube.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }),
      kube.get<V1ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace, name: owner.name }),
    ]);
    const current = Number(dep?.metadata?.annotations?.[REVISION] ?? NaN);
    const of = Number(rs?.metadata?.annotations?.[REVISION] ?? NaN);
    const outdated = rs === undefined || (Number.isFinite(current) && Number.isFinite(of) && of < current);
    if (outdated) known.add(owner.name);
    return outdated;
  };
}

const selectorOf = (labels: Record<string, string> | undefined) => Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || undefined;

export async function waitDeploymentAvailable(kube: Kube, namespace: string, name: string, timeoutMs: number, o: WaitOptions = {}): Promise<V1Deployment> {
  const what = `deployment ${namespace}/${name}`;
  const dep = await kube.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
  const selector = selectorOf(dep?.spec?.selector?.matchLabels);
  try {
    return await waitWithPods(kube, what, namespace, selector, (signal) =>
      kube.waitFor<V1Deployment>(`/apis/apps/v1/namespaces/${namespace}/deployments`, name, isRolledOut, timeoutMs, `${what} to be rolled out and Available`, signal), o, outdatedForDeployment(kube, namespace, name));
  } catch (err) {
    throw await explainNotReady(kube, namespace, selector, err);
  }
}

export async function waitJobComplete(kube: Kube, namespace: string, name: string, timeoutMs: number, o: WaitOptions = {}): Promise<V1Job> {
  const what = `job ${namespace}/${name}`;
  const selector = `batch.kubernetes.io/job-name=${name}`;
  try {
    return await waitWithPods(kube, what, namespace, selector, (signal) =>
      kube.waitFor<V1Job>(`/apis/batch/v1/namespaces/${namespace}/jobs`, name, isComplete, timeoutMs, `${what} to complete`, signal), o);
  } catch (err) {
    throw await explainNotReady(kube, namespace, selector, err);
  }
}

/** Say why: each pod's phase, node, unmet conditions and containers' waiting reasons. */
async function explainNotReady(kube: Kube, namespace: string, selector: string | undefined, err: unknown): Promise<LabError> {
  const pods = selector ? await kube.list<V1Pod>('v1', 'Pod', { namespace, labelSelector: selector }).catch(() => []) : [];
  const lines = pods.flatMap((p) => {
    const unmet = (p.status?.conditions ?? []).filter((c) => c.status !== 'True').map((c) => `${c.type}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`);
    return [
      `pod ${p.metadata?.name}: ${p.status?.phase ?? '?'} on ${p.spec?.nodeName ?? '(not scheduled)'}${unmet.length ? `; not ${unmet.join(', ')}` : ''}`,
      ...containerProblems(p).map((c) => `  ${describeProblem(c)}`),
    ];
  });
  const e = err as LabError;
  return new LabError(e.message, { cause: err, detail: [...lines, e.detail ?? ''].filter(Boolean).join('\n') });
}

export function waitCrdEstablished(kube: Kube, name: string, timeoutMs: number): Promise<V1CustomResourceDefinition> {
  return kube.waitFor<V1CustomResourceDefinition>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', name, isEstablished, timeoutMs, `CRD ${name} to be established`);
}

/** The Deployments not rolled out, StatefulSets and DaemonSets not ready and Jobs not complete among
 * `objs` (by their live state). */
export async function notReady(kube: Kube, objs: Array<{ kind?: string; metadata?: { name?: string; namespace?: string } }>): Promise<string[]> {
  const each = await mapLimit(objs, API_CONCURRENCY, async (o): Promise<string | undefined> => {
    const ref = { namespace: o.metadata!.namespace!, name: o.metadata!.name! };
    if (o.kind === 'Deployment') {
      const d = await kube.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', ...ref });
      if (d && !isRolledOut(d)) return `Deployment/${ref.namespace}/${ref.name} not ${isAvailable(d) ? 'rolled out (a new version is not ready)' : 'Available'}`;
    } else if (o.kind === 'StatefulSet') {
      const s = await kube.get<V1StatefulSet>({ apiVersion: 'apps/v1', kind: 'StatefulSet', ...ref });
      if (s && !isStatefulSetReady(s)) return `StatefulSet/${ref.namespace}/${ref.name} not ready (${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1})`;
    } else if (o.kind === 'DaemonSet') {
      const d = await kube.get<V1DaemonSet>({ apiVersion: 'apps/v1', kind: 'DaemonSet', ...ref });
      if (d && !isDaemonSetReady(d)) return `DaemonSet/${ref.namespace}/${ref.name} not ready (${d.status?.numberReady ?? 0}/${d.status?.desiredNumberScheduled ?? '?'})`;
    } else if (o.kind === 'Job') {
      const j = await kube.get<V1Job>({ apiVersion: 'batch/v1', kind: 'Job', ...ref });
      if (j && !isComplete(j)) return `Job/${ref.namespace}/${ref.name} not complete`;
    }
    return undefined;
  });
  return each.filter((x): x is string => x !== undefined);
}

/** Whether a live pod (wire form or model) is Running with every container ready. */
export function podReady(p: KubernetesObject | undefined): boolean {
  const pod = p as V1Pod | undefined;
  return pod?.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
