// The pods `up` runs from the lab's own manifests: the samples (with the sidecar Istio injects into
// every pod of a namespace labelled istio-injection=enabled, sized by the pod's
// sidecar.istio.io/proxyCPU|proxyMemory annotations or the profile's defaults) and Istio's own
// Deployments as the IstioOperator sizes them. Completed Jobs hold nothing and are not counted.
import type { KubernetesObject, V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { ContainerResources } from './pods.ts';

/** Istio 1.30 demo profile's injected proxy (global.proxy.resources in `istioctl manifest generate`;
 * a test compares these with the real istioctl's output). */
export const DEMO_SIDECAR = { requests: { cpu: '10m', memory: '40Mi' }, limits: { cpu: '2000m', memory: '256Mi' } } as const;

export interface PodSet {
  what: string;
  pods: number;
  /** Runs one pod per node (a DaemonSet). */
  perNode?: boolean;
  containers: ContainerResources[];
}

const res = (c: V1Container, init: boolean): ContainerResources => ({
  name: c.name,
  init,
  requests: c.resources?.requests as ContainerResources['requests'],
  limits: c.resources?.limits as ContainerResources['limits'],
});

/** The sidecar Istio injects into a pod with these annotations. */
export function sidecarFor(annotations: Record<string, string> | undefined): ContainerResources {
  const a = annotations ?? {};
  return {
    name: 'istio-proxy',
    requests: { cpu: a['sidecar.istio.io/proxyCPU'] ?? DEMO_SIDECAR.requests.cpu, memory: a['sidecar.istio.io/proxyMemory'] ?? DEMO_SIDECAR.requests.memory },
    limits: { cpu: a['sidecar.istio.io/proxyCPULimit'] ?? DEMO_SIDECAR.limits.cpu, memory: a['sidecar.istio.io/proxyMemoryLimit'] ?? DEMO_SIDECAR.limits.memory },
  };
}

/** Whether Istio injects a sidecar into a pod with these annotations in `namespace`. */
export const injects = (injected: Set<string>, namespace: string | undefined, annotations: Record<string, string> | undefined) =>
  injected.has(namespace ?? '') && annotations?.['sidecar.istio.io/inject'] !== 'false';

/** The namespaces among `objs` labelled istio-injection=enabled. */
export const injectedNamespaces = (objs: KubernetesObject[]) =>
  new Set(objs.filter((o) => o.kind === 'Namespace' && o.metadata?.labels?.['istio-injection'] === 'enabled').map((o) => o.metadata!.name!));

/** Pod sets of Deployments/StatefulSets/DaemonSets among `objs`, with injected sidecars. */
export function podSetsOf(objs: KubernetesObject[]): PodSet[] {
  const injected = injectedNamespaces(objs);
  const out: PodSet[] = [];
  for (const o of objs) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind ?? '')) continue;
    const spec = (o as { spec?: { replicas?: number; template?: V1PodTemplateSpec } }).spec;
    const tpl = spec?.template ?? {};
    const containers = [...(tpl.spec?.initContainers ?? []).map((c) => res(c, true)), ...(tpl.spec?.containers ?? []).map((c) => res(c, false))];
    if (injects(injected, o.metadata?.namespace, tpl.metadata?.annotations)) containers.push(sidecarFor(tpl.metadata?.annotations));
    out.push({ what: `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`, pods: o.kind === 'DaemonSet' ? 1 : spec?.replicas ?? 1, perNode: o.kind === 'DaemonSet', containers });
  }
  return out;
}

interface OperatorComponent {
  k8s?: { resources?: Pick<ContainerResources, 'requests' | 'limits'>; replicaCount?: number };
}

/** istiod and the ingress gateway, sized by the IstioOperator's k8s.resources. */
export function istioPodSets(operator: KubernetesObject): PodSet[] {
  const c = (operator as { spec?: { components?: { pilot?: OperatorComponent; ingressGateways?: Array<OperatorComponent & { name: string; enabled?: boolean }> } } }).spec?.components ?? {};
  const one = (what: string, name: string, comp: OperatorComponent | undefined): PodSet => ({
    what, pods: comp?.k8s?.replicaCount ?? 1,
    containers: [{ name, requests: comp?.k8s?.resources?.requests, limits: comp?.k8s?.resources?.limits }],
  });
  return [
    one('Deployment/istio-system/istiod', 'discovery', c.pilot),
    ...(c.ingressGateways ?? []).filter((g) => g.enabled !== false).map((g) => one(`Deployment/istio-system/${g.name}`, 'istio-proxy', g)),
  ];
}
