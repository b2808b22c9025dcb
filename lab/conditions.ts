// Readiness as the API reports it, and watch-based waits for it: shared by every step.
import type { V1CustomResourceDefinition, V1Deployment, V1Job } from '@kubernetes/client-node';
import type { Kube } from './kube.ts';

type WithConditions = { status?: { conditions?: Array<{ type: string; status: string }> } };
const has = (o: WithConditions, type: string) => (o.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

export const isAvailable = (d: V1Deployment) => has(d as WithConditions, 'Available');
export const isComplete = (j: V1Job) => has(j as WithConditions, 'Complete');
export const isEstablished = (c: V1CustomResourceDefinition) => has(c as WithConditions, 'Established');

export function waitDeploymentAvailable(kube: Kube, namespace: string, name: string, timeoutMs: number): Promise<V1Deployment> {
  return kube.waitFor<V1Deployment>(`/apis/apps/v1/namespaces/${namespace}/deployments`, name, isAvailable, timeoutMs, `deployment ${namespace}/${name} to become Available`);
}

export function waitJobComplete(kube: Kube, namespace: string, name: string, timeoutMs: number): Promise<V1Job> {
  return kube.waitFor<V1Job>(`/apis/batch/v1/namespaces/${namespace}/jobs`, name, isComplete, timeoutMs, `job ${namespace}/${name} to complete`);
}

export function waitCrdEstablished(kube: Kube, name: string, timeoutMs: number): Promise<V1CustomResourceDefinition> {
  return kube.waitFor<V1CustomResourceDefinition>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', name, isEstablished, timeoutMs, `CRD ${name} to be established`);
}
