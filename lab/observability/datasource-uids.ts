// The uids Grafana knows each datasource by. Dashboards and the Loki → Jaeger derived field refer to
// datasources by uid, so these are the one place to change one.
// - prometheus: the datasource kube-prometheus-stack's Grafana provisions itself
//   (grafana.sidecar.datasources.uid, `prometheus` in chart 88.1.3's values.yaml); if the chart's
//   contract (fixtures/charts/contract.json) records another, change it here.
// - loki, jaeger: ours (manifests/observability/grafana/datasource-*.yaml; a test keeps them equal).
export const DATASOURCE_UIDS = {
  prometheus: 'prometheus',
  loki: 'loki',
  jaeger: 'jaeger',
} as const;
