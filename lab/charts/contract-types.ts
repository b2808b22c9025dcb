// The shape of fixtures/charts/contract.json: facts the lab's wiring depends on, taken from the pinned
// charts rendered with our values (scripts/charts.ts refresh). Facts only — no template text.
import type { ChartName } from '../versions.ts';

export interface ServicePortFact {
  name: string;
  port: number;
  /** As the Service says; a port with no targetPort targets the same number (Kubernetes' default). */
  targetPort: number | string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface ServiceFact {
  name: string;
  namespace: string;
  ports: ServicePortFact[];
  /** `chart`: in the release's manifests; `operator`: prometheus-operator creates it from a CR. */
  createdBy: 'chart' | 'operator';
}

export type ResourceList = Record<string, string>;

export interface ContainerFact {
  name: string;
  image: string;
  init: boolean;
  requests: ResourceList;
  limits: ResourceList;
}

export interface WorkloadFact {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';
  name: string;
  namespace: string;
  /** null for a DaemonSet (one pod per node it tolerates). */
  replicas: number | null;
  nodeSelector: Record<string, string>;
  containers: ContainerFact[];
  createdBy: 'chart' | 'operator';
  /** For operator-made workloads: the custom resource they come from, e.g. Prometheus/monitoring/x. */
  from?: string;
  /** The pod template's sidecar.istio.io/* annotations, when it has any: how Istio sizes (or skips)
   * the sidecar it injects into a pod of a meshed namespace (the footprint counts that sidecar). */
  sidecarAnnotations?: Record<string, string>;
}

export interface DatasourceFact {
  name: string;
  type: string;
  uid: string;
  url: string;
  isDefault: boolean;
}

export interface KeysFact {
  /** Every path in the chart's values.yaml (its subcharts' under their name or alias): leaves,
   * lists and empty maps. */
  known: string[];
  /** Prefixes under which anything is accepted: empty-map defaults, maps the chart copies through as
   * they are (nodeSelector, resources, grafana.ini, …), and keys its templates read that values.yaml
   * does not list (e.g. jaeger's `jaeger.resources`, only a comment there). */
  freeForm: string[];
  /** Keys only the templates read (a subset of freeForm, kept apart to say why they are allowed). */
  templateOnly: string[];
  /** Charts that pass their values on as an application's configuration (kiali-server: the Kiali
   * config file) also accept that configuration's fields: where those were read, and their paths. */
  config?: { source: string; known: string[]; freeForm: string[] };
}

export interface ReleaseFact {
  release: string;
  chart: ChartName;
  version: string;
  appVersion: string;
  namespace: string;
  /** repo@ref path the chart was read from, and its subcharts (name@version). */
  source: string;
  subcharts: string[];
  services: ServiceFact[];
  workloads: WorkloadFact[];
  crds: string[];
  images: string[];
  keys: KeysFact;
  /** kube-prometheus-stack: the datasources its Grafana provisions by default. */
  grafanaDatasources?: DatasourceFact[];
}

export interface ChartContract {
  /** How the file was made: command, helm version, --kube-version, where the charts came from. */
  generated: { by: string; helm: string; kubeVersion: string; from: string; notes: string[] };
  releases: Record<string, ReleaseFact>;
}
