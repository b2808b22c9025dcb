// What prometheus-operator creates from the Prometheus and Alertmanager custom resources a
// kube-prometheus-stack release renders: a StatefulSet per CR and its governing Service. helm never
// renders these, so they are derived here from the CRs, the operator's flags in the chart's
// Deployment, and the operator's own defaults, read in prometheus-operator/prometheus-operator at
// v0.93.0 (the chart's appVersion):
//   pkg/prometheus/server/statefulset.go  StatefulSet `prometheus-<name>`; containers `prometheus`,
//       `config-reloader`, init container `init-config-reloader`; Service `prometheus-operated`
//       (pkg/prometheus/common.go: port 9090 named spec.portName, default `web`)
//   pkg/alertmanager/statefulset.go  StatefulSet `alertmanager-<name>`; containers `alertmanager`,
//       `config-reloader`, init `init-config-reloader`; a memory request of 200Mi when the CR sets
//       none; Service `alertmanager-operated`: 9093 (spec.portName, default `web`), 9094 tcp-mesh and
//       udp-mesh
//   pkg/operator/config.go + cmd/operator/main.go  every config-reloader gets the
//       --config-reloader-{cpu,memory}-{request,limit} flags' values; "0" means none
import type { ContainerFact, ResourceList, ServiceFact, WorkloadFact } from './contract-types.ts';
import { quantities, type RenderedObject } from './render-facts.ts';

export const OPERATOR_SOURCE = 'prometheus-operator/prometheus-operator@v0.93.0 pkg/prometheus/server/statefulset.go, pkg/prometheus/common.go, pkg/alertmanager/statefulset.go, pkg/operator/config.go, cmd/operator/main.go';

interface ReloaderFlags {
  image: string;
  requests: ResourceList;
  limits: ResourceList;
}

/** The config-reloader image and resources from the operator Deployment's arguments. */
export function reloaderFlags(operatorArgs: string[]): ReloaderFlags {
  const flag = (name: string) => operatorArgs.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const q = (name: string) => {
    const v = flag(name);
    return v && v !== '0' ? v : undefined;
  };
  const pick = (cpu?: string, memory?: string): ResourceList => ({ ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) });
  return {
    image: flag('prometheus-config-reloader') ?? '',
    requests: pick(q('config-reloader-cpu-request'), q('config-reloader-memory-request')),
    limits: pick(q('config-reloader-cpu-limit'), q('config-reloader-memory-limit')),
  };
}

type CrSpec = {
  image?: string;
  replicas?: number;
  nodeSelector?: Record<string, string>;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  portName?: string;
};

function operatorArgsOf(objs: RenderedObject[]): string[] | undefined {
  for (const o of objs) {
    if (o.kind !== 'Deployment') continue;
    const containers = ((o.spec?.template as { spec?: { containers?: Array<{ args?: string[] }> } })?.spec?.containers) ?? [];
    const args = containers.flatMap((c) => c.args ?? []);
    if (args.some((a) => a.startsWith('--prometheus-config-reloader='))) return args;
  }
  return undefined;
}

function statefulSet(kind: 'Prometheus' | 'Alertmanager', o: RenderedObject, ns: string, reloader: ReloaderFlags): WorkloadFact {
  const spec = (o.spec ?? {}) as CrSpec;
  const main = kind === 'Prometheus' ? 'prometheus' : 'alertmanager';
  const requests = quantities(spec.resources?.requests);
  if (kind === 'Alertmanager' && !requests.memory) requests.memory = '200Mi';
  const reloaderContainer = (name: string, init: boolean): ContainerFact => ({ name, image: reloader.image, init, requests: { ...reloader.requests }, limits: { ...reloader.limits } });
  const name = o.metadata?.name ?? '';
  return {
    kind: 'StatefulSet',
    name: `${main}-${name}`,
    namespace: ns,
    replicas: spec.replicas ?? 1,
    nodeSelector: spec.nodeSelector ?? {},
    containers: [
      reloaderContainer('init-config-reloader', true),
      { name: main, image: spec.image ?? '', init: false, requests, limits: quantities(spec.resources?.limits) },
      reloaderContainer('config-reloader', false),
    ],
    createdBy: 'operator',
    from: `${kind}/${ns}/${name}`,
  };
}

function governingService(kind: 'Prometheus' | 'Alertmanager', o: RenderedObject, ns: string): ServiceFact {
  const portName = ((o.spec ?? {}) as CrSpec).portName || 'web';
  if (kind === 'Prometheus') {
    return { name: 'prometheus-operated', namespace: ns, ports: [{ name: portName, port: 9090, targetPort: portName, protocol: 'TCP' }], createdBy: 'operator' };
  }
  return {
    name: 'alertmanager-operated',
    namespace: ns,
    ports: [
      { name: portName, port: 9093, targetPort: portName, protocol: 'TCP' },
      { name: 'tcp-mesh', port: 9094, targetPort: 'mesh-tcp', protocol: 'TCP' },
      { name: 'udp-mesh', port: 9094, targetPort: 'mesh-udp', protocol: 'UDP' },
    ],
    createdBy: 'operator',
  };
}

/** The operator's StatefulSets and Services for the CRs in `objs` (none when there are none). */
export function operatorObjects(objs: RenderedObject[], releaseNs: string): { workloads: WorkloadFact[]; services: ServiceFact[] } {
  const crs = objs.filter((o) => o.kind === 'Prometheus' || o.kind === 'Alertmanager');
  if (!crs.length) return { workloads: [], services: [] };
  const args = operatorArgsOf(objs);
  if (!args) throw new Error('the release renders Prometheus/Alertmanager resources but no operator Deployment with --prometheus-config-reloader');
  const reloader = reloaderFlags(args);
  const workloads: WorkloadFact[] = [];
  const services: ServiceFact[] = [];
  for (const o of crs) {
    const kind = o.kind as 'Prometheus' | 'Alertmanager';
    const ns = o.metadata?.namespace ?? releaseNs;
    workloads.push(statefulSet(kind, o, ns, reloader));
    if (!services.some((s) => s.name === governingService(kind, o, ns).name && s.namespace === ns)) services.push(governingService(kind, o, ns));
  }
  return { workloads, services };
}
