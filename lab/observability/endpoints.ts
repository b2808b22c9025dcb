// Where the observability stack lives: release names, namespaces, and the Services and ports every
// component is wired to. One place, so a Grafana datasource, Kiali's external services, Istio's
// tracing provider, Alloy's Loki endpoint and the exercises all name the same thing; a contract test
// (test/unit/chart-wiring.test.ts) checks each one against the Services the pinned charts create
// with our values (fixtures/charts/contract.json).
import { ARGOCD_NAMESPACE } from '../gitops/auto-sync.ts';
import type { ChartName } from '../versions.ts';

export const MONITORING_NAMESPACE = 'monitoring';
export const ISTIO_NAMESPACE = 'istio-system';
/** lab/samples/sock-shop.ts SOCK_SHOP_NAMESPACE (not imported: this table stays free of the samples). */
const SOCK_SHOP_NAMESPACE = 'sock-shop';

export interface ReleaseSpec {
  /** Helm release name (seed 001 uses `kube-prometheus-stack` in `monitoring`). */
  release: string;
  chart: ChartName;
  namespace: string;
}

export const RELEASES = {
  prometheusStack: { release: 'kube-prometheus-stack', chart: 'kube-prometheus-stack', namespace: MONITORING_NAMESPACE },
  loki: { release: 'loki', chart: 'loki', namespace: MONITORING_NAMESPACE },
  alloy: { release: 'alloy', chart: 'alloy', namespace: MONITORING_NAMESPACE },
  jaeger: { release: 'jaeger', chart: 'jaeger', namespace: MONITORING_NAMESPACE },
  // Kiali beside istiod, as seed 002 reaches it (svc/kiali 20001 -n istio-system).
  kiali: { release: 'kiali', chart: 'kiali-server', namespace: ISTIO_NAMESPACE },
  // Flagger beside istiod, as seed 001 installs it; it reaches Prometheus and every namespace's
  // Deployments, Services and Istio routes through the API.
  flagger: { release: 'flagger', chart: 'flagger', namespace: ISTIO_NAMESPACE },
  // The loadtester next to what it loads (sock-shop's front-end), in the mesh: its requests leave
  // through its own sidecar, which is what applies the VirtualService's primary/canary weights.
  flaggerLoadtester: { release: 'flagger-loadtester', chart: 'loadtester', namespace: SOCK_SHOP_NAMESPACE },
  // Argo CD (LAB_GITOPS=argocd, not a profile): release `argocd` in `argocd`, as seed 002 names it
  // (svc/argocd-server -n argocd).
  argocd: { release: 'argocd', chart: 'argo-cd', namespace: ARGOCD_NAMESPACE },
} as const satisfies Record<string, ReleaseSpec>;

export interface Endpoint {
  namespace: string;
  service: string;
  port: number;
  /** URL path prefix of the API or UI, '' for none. */
  path: string;
  scheme: 'http' | 'grpc';
}

/** The in-cluster endpoints one component is given to reach another. */
export const ENDPOINTS = {
  prometheus: { namespace: MONITORING_NAMESPACE, service: 'kube-prometheus-stack-prometheus', port: 9090, path: '', scheme: 'http' },
  alertmanager: { namespace: MONITORING_NAMESPACE, service: 'kube-prometheus-stack-alertmanager', port: 9093, path: '', scheme: 'http' },
  grafana: { namespace: MONITORING_NAMESPACE, service: 'kube-prometheus-stack-grafana', port: 80, path: '', scheme: 'http' },
  lokiPush: { namespace: MONITORING_NAMESPACE, service: 'loki', port: 3100, path: '/loki/api/v1/push', scheme: 'http' },
  lokiQuery: { namespace: MONITORING_NAMESPACE, service: 'loki', port: 3100, path: '', scheme: 'http' },
  jaegerOtlpGrpc: { namespace: MONITORING_NAMESPACE, service: 'jaeger', port: 4317, path: '', scheme: 'grpc' },
  jaegerQuery: { namespace: MONITORING_NAMESPACE, service: 'jaeger', port: 16686, path: '', scheme: 'http' },
  jaegerQueryGrpc: { namespace: MONITORING_NAMESPACE, service: 'jaeger', port: 16685, path: '', scheme: 'grpc' },
  kiali: { namespace: ISTIO_NAMESPACE, service: 'kiali', port: 20001, path: '/kiali', scheme: 'http' },
  // The loadtester's webhook API (POST / runs a command; /gate/…, /rollback/… answer gates): what a
  // Canary's webhooks are given. The chart's Service is named after the release (flagger-loadtester)
  // and listens on 80, sending to the pod's `http` port (8080, the loadtester's -port).
  flaggerLoadtester: { namespace: SOCK_SHOP_NAMESPACE, service: 'flagger-loadtester', port: 80, path: '/', scheme: 'http' },
  // Argo CD's UI and API without TLS (configs.params."server.insecure"): the Service's `http` port
  // 80 → the server's 8080. `lab pf argocd` forwards it to 127.0.0.1.
  argocdServer: { namespace: ARGOCD_NAMESPACE, service: 'argocd-server', port: 80, path: '', scheme: 'http' },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;

/** http://service.namespace.svc.cluster.local:port/path — what one pod gives another. */
export function clusterUrl(e: Endpoint): string {
  const host = `${e.service}.${e.namespace}.svc.cluster.local`;
  return e.scheme === 'grpc' ? `${host}:${e.port}` : `http://${host}:${e.port}${e.path}`;
}
