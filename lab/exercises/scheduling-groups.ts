// Which node group every workload of the lab is meant to run on, read off what the lab itself
// applies — never off the live pods, so a pod whose nodeSelector was changed in the cluster is still
// judged by the lab's intent: the samples' manifests (sock-shop, eng-app), the IstioOperator's
// k8s.nodeSelector for istiod and the ingress gateway, and the chart contract's workloads (what
// each pinned chart renders with our values, and what prometheus-operator makes of its CRs).
// A workload whose nodeSelector names no group (node-exporter, Alloy: one pod per node) may run anywhere.
import type { KubernetesObject, V1PodTemplateSpec } from '@kubernetes/client-node';
import { loadContract, type ChartContract } from '../charts/contract.ts';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { sampleManifests } from '../footprint/lab-footprint.ts';
import { ISTIO_NAMESPACE, istioOperator } from '../istio/operator.ts';

/** A node group, or 'any' for a workload the lab puts on every node. */
export type IntendedGroup = string;
export const ANY_GROUP = 'any';

export interface IntendedWorkload {
  kind: string;
  namespace: string;
  name: string;
  group: IntendedGroup;
  /** Where the intent was read: "manifests", "IstioOperator", "chart kiali". */
  source: string;
}

export const workloadKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

const groupOf = (nodeSelector: Record<string, string> | undefined): IntendedGroup => nodeSelector?.[NODEGROUP_LABEL] ?? ANY_GROUP;

function fromManifests(objs: KubernetesObject[]): IntendedWorkload[] {
  return objs.filter((o) => WORKLOAD_KINDS.has(o.kind ?? '')).map((o) => {
    const tpl = (o as { spec?: { template?: V1PodTemplateSpec } }).spec?.template;
    return { kind: o.kind!, namespace: o.metadata!.namespace!, name: o.metadata!.name!, group: groupOf(tpl?.spec?.nodeSelector), source: 'manifests' };
  });
}

interface OperatorComponent {
  name?: string;
  enabled?: boolean;
  k8s?: { nodeSelector?: Record<string, string> };
}

/** istiod (components.pilot) and each enabled ingress gateway, as `istioctl install` names them. */
function fromOperator(operator: KubernetesObject): IntendedWorkload[] {
  const c = (operator as { spec?: { components?: { pilot?: OperatorComponent; ingressGateways?: OperatorComponent[] } } }).spec?.components ?? {};
  const one = (name: string, comp: OperatorComponent | undefined): IntendedWorkload => ({ kind: 'Deployment', namespace: ISTIO_NAMESPACE, name, group: groupOf(comp?.k8s?.nodeSelector), source: 'IstioOperator' });
  return [one('istiod', c.pilot), ...(c.ingressGateways ?? []).filter((g) => g.enabled !== false && g.name).map((g) => one(g.name!, g))];
}

function fromContract(contract: ChartContract): IntendedWorkload[] {
  return Object.values(contract.releases).flatMap((r) => r.workloads
    .filter((w) => WORKLOAD_KINDS.has(w.kind))
    .map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, group: groupOf(w.nodeSelector), source: `chart ${r.release}` })));
}

/** Every workload the lab can install, keyed by kind/namespace/name (a release the profile leaves
 * out has no pods, so it is never looked up). */
export function intendedWorkloads(inputs: { samples?: KubernetesObject[]; operator?: KubernetesObject; contract?: ChartContract } = {}): Map<string, IntendedWorkload> {
  const all = [
    ...fromManifests(inputs.samples ?? sampleManifests()),
    ...fromOperator(inputs.operator ?? istioOperator()),
    ...fromContract(inputs.contract ?? loadContract()),
  ];
  return new Map(all.map((w) => [workloadKey(w.kind, w.namespace, w.name), w]));
}

/** The namespaces the lab's workloads live in (sock-shop, eng-app, istio-system, monitoring, …). */
export function labNamespaces(intended: Map<string, IntendedWorkload>): string[] {
  return [...new Set([...intended.values()].map((w) => w.namespace))].sort();
}
