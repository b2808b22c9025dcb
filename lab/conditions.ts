// Readiness as the API reports it, and watch-based waits for it: shared by every step.
import type { V1CustomResourceDefinition, V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import { LabError } from './errors.ts';
import type { Kube } from './kube.ts';

type WithConditions = { status?: { conditions?: Array<{ type: string; status: string }> } };
const has = (o: WithConditions, type: string) => (o.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

export const isAvailable = (d: V1Deployment) => has(d as WithConditions, 'Available');
export const isComplete = (j: V1Job) => has(j as WithConditions, 'Complete');
export const isEstablished = (c: V1CustomResourceDefinition) => has(c as WithConditions, 'Established');

export async function waitDeploymentAvailable(kube: Kube, namespace: string, name: string, timeoutMs: number): Promise<V1Deployment> {
  try {
    return await kube.waitFor<V1Deployment>(`/apis/apps/v1/namespaces/${namespace}/deployments`, name, isAvailable, timeoutMs, `deployment ${namespace}/${name} to become Available`);
  } catch (err) {
    // Say why: the pods' phase, node and unmet conditions explain most "not Available".
    const dep = await kube.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }).catch(() => undefined);
    const selector = Object.entries(dep?.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = selector ? await kube.list<V1Pod>('v1', 'Pod', { namespace, labelSelector: selector }).catch(() => []) : [];
    const lines = pods.map((p) => {
      const unmet = (p.status?.conditions ?? []).filter((c) => c.status !== 'True').map((c) => `${c.type}${c.reason ? ` (${c.reason}: ${c.message ?? ''})` : ''}`);
      return `pod ${p.metadata?.name}: ${p.status?.phase ?? '?'} on ${p.spec?.nodeName ?? '(not scheduled)'}${unmet.length ? `; not ${unmet.join(', ')}` : ''}`;
    });
    throw new LabError((err as Error).message, { cause: err, detail: [...lines, (err as LabError).detail ?? ''].filter(Boolean).join('\n') });
  }
}

export function waitJobComplete(kube: Kube, namespace: string, name: string, timeoutMs: number): Promise<V1Job> {
  return kube.waitFor<V1Job>(`/apis/batch/v1/namespaces/${namespace}/jobs`, name, isComplete, timeoutMs, `job ${namespace}/${name} to complete`);
}

export function waitCrdEstablished(kube: Kube, name: string, timeoutMs: number): Promise<V1CustomResourceDefinition> {
  return kube.waitFor<V1CustomResourceDefinition>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', name, isEstablished, timeoutMs, `CRD ${name} to be established`);
}
