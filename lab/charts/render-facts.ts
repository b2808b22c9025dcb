// Facts read off a release's rendered manifests (`helm template --include-crds`): its Services,
// workloads, CRDs and, for kube-prometheus-stack, the Grafana datasources it provisions. Pure.
import { parse } from 'yaml';
import type { ContainerFact, DatasourceFact, ResourceList, ServiceFact, WorkloadFact } from './contract-types.ts';

export interface RenderedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

type PodSpec = {
  nodeSelector?: Record<string, string>;
  containers?: RawContainer[];
  initContainers?: RawContainer[];
};
type RawContainer = { name: string; image?: string; resources?: { requests?: ResourceList; limits?: ResourceList } };
type RawPort = { name?: string; port: number; targetPort?: number | string; protocol?: string };

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** Helm installs a namespaced object without metadata.namespace into the release's namespace. */
const nsOf = (o: RenderedObject, releaseNs: string) => o.metadata?.namespace ?? releaseNs;

export function quantities(r: ResourceList | undefined): ResourceList {
  return Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));
}

export function containerFact(c: RawContainer, init: boolean): ContainerFact {
  return { name: c.name, image: c.image ?? '', init, requests: quantities(c.resources?.requests), limits: quantities(c.resources?.limits) };
}

export function servicesOf(objs: RenderedObject[], releaseNs: string): ServiceFact[] {
  return objs.filter((o) => o.kind === 'Service').map((o) => ({
    name: o.metadata?.name ?? '',
    namespace: nsOf(o, releaseNs),
    ports: ((o.spec?.ports ?? []) as RawPort[]).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      protocol: (p.protocol ?? 'TCP') as ServiceFact['ports'][number]['protocol'],
    })),
    createdBy: 'chart' as const,
  }));
}

type PodTemplate = { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec };

function podTemplateOf(o: RenderedObject): PodTemplate {
  const spec = o.spec ?? {};
  if (o.kind === 'CronJob') return (spec.jobTemplate as { spec?: { template?: PodTemplate } } | undefined)?.spec?.template ?? {};
  return (spec.template as PodTemplate | undefined) ?? {};
}

/** The sidecar.istio.io/* annotations of a pod template (Istio's per-pod sidecar settings). */
export function sidecarAnnotationsOf(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => k.startsWith('sidecar.istio.io/')).map(([k, v]) => [k, String(v)]));
}

const podSpecOf = (o: RenderedObject): PodSpec => podTemplateOf(o).spec ?? {};

export function workloadsOf(objs: RenderedObject[], releaseNs: string): WorkloadFact[] {
  return objs.filter((o) => WORKLOAD_KINDS.has(o.kind ?? '')).map((o) => {
    const pod = podSpecOf(o);
    const replicas = o.kind === 'DaemonSet' ? null : o.kind === 'Job' || o.kind === 'CronJob' ? 1 : ((o.spec?.replicas as number | undefined) ?? 1);
    const sidecar = sidecarAnnotationsOf(podTemplateOf(o).metadata?.annotations);
    return {
      kind: o.kind as WorkloadFact['kind'],
      name: o.metadata?.name ?? '',
      namespace: nsOf(o, releaseNs),
      replicas,
      nodeSelector: pod.nodeSelector ?? {},
      containers: [...(pod.initContainers ?? []).map((c) => containerFact(c, true)), ...(pod.containers ?? []).map((c) => containerFact(c, false))],
      createdBy: 'chart' as const,
      ...(Object.keys(sidecar).length ? { sidecarAnnotations: sidecar } : {}),
    };
  });
}

export function crdsOf(objs: RenderedObject[]): string[] {
  return objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata?.name ?? '').sort();
}

/** The datasources in every ConfigMap Grafana's datasource sidecar picks up (label grafana_datasource). */
export function grafanaDatasourcesOf(objs: RenderedObject[], label = 'grafana_datasource'): DatasourceFact[] {
  const out: DatasourceFact[] = [];
  for (const o of objs) {
    if (o.kind !== 'ConfigMap' || o.metadata?.labels?.[label] === undefined) continue;
    for (const text of Object.values(o.data ?? {})) {
      const doc = parse(text) as { datasources?: Array<Record<string, unknown>> } | null;
      for (const d of doc?.datasources ?? []) {
        out.push({ name: String(d.name), type: String(d.type), uid: String(d.uid ?? ''), url: String(d.url ?? ''), isDefault: d.isDefault === true });
      }
    }
  }
  return out;
}

export function imagesOfWorkloads(ws: WorkloadFact[]): string[] {
  return [...new Set(ws.flatMap((w) => w.containers.map((c) => c.image)))].sort();
}
