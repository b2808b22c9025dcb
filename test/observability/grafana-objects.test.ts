// Grafana's objects without a Grafana: the datasource ConfigMaps point at the Services in
// lab/observability/endpoints.ts under the uids the dashboards and links use, Loki's is left out
// when Loki is not installed, the trace-id link finds the ids Envoy can print, and the committed
// dashboard ConfigMaps are exactly what dashboards.ts generates from the compact sources.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { loadManifests } from '../../lab/manifests.ts';
import { dashboardConfigMapFile, dashboardJson, dashboardProblems, DASHBOARD_CONFIGMAPS, loadDashboardSpecs, type DashboardSpec } from '../../lab/observability/dashboards.ts';
import { DATASOURCE_UIDS } from '../../lab/observability/datasource-uids.ts';
import { clusterUrl, ENDPOINTS, MONITORING_NAMESPACE } from '../../lab/observability/endpoints.ts';
import { datasourcesIn, grafanaObjects, isDashboardConfigMap, isDatasourceConfigMap } from '../../lab/observability/grafana-objects.ts';

const datasources = (objs = grafanaObjects({ loki: true })) => objs.filter(isDatasourceConfigMap).flatMap((o) => datasourcesIn(o as V1ConfigMap));

test("Loki's datasource only when Loki is installed; Jaeger's and the five dashboards always", (t) => {
  t.deepEqual(datasources().map((d) => d.name), ['Jaeger', 'Loki']);
  t.deepEqual(datasources(grafanaObjects({ loki: false })).map((d) => d.name), ['Jaeger']);
  t.deepEqual(datasources(grafanaObjects({ loki: false, jaeger: false })), []);
  t.throws(() => grafanaObjects({ loki: true, jaeger: false }), { message: /install Jaeger with Loki/ });
  const dashboards = grafanaObjects({ loki: false }).filter(isDashboardConfigMap).map((o) => o.metadata?.name);
  t.deepEqual(dashboards, ['istio-mesh', 'istio-service', 'istio-workload', 'istio-control-plane', 'istio-performance'].map((n) => `lab-dashboard-${n}`));
  for (const o of grafanaObjects({ loki: true })) {
    if (o.kind === 'Namespace') t.is(o.metadata?.name, MONITORING_NAMESPACE);
    else t.is(o.metadata?.namespace, MONITORING_NAMESPACE, o.metadata?.name);
  }
});

test('each datasource names the Service the endpoints table names, under the uid the rest of the lab uses', (t) => {
  const byType = Object.fromEntries(datasources().map((d) => [d.type, d]));
  t.like(byType.loki, { uid: DATASOURCE_UIDS.loki, url: clusterUrl(ENDPOINTS.lokiQuery) });
  t.like(byType.jaeger, { uid: DATASOURCE_UIDS.jaeger, url: clusterUrl(ENDPOINTS.jaegerQuery) });
  const [link] = byType.loki.jsonData!.derivedFields!;
  t.is(link.datasourceUid, DATASOURCE_UIDS.jaeger);
  t.is(link.url, '$${__value.raw}', 'Grafana reads $… in provisioning files as an environment variable; $$ is a literal $');
});

// Lines shaped like Istio 1.30's default text access log (pilot/pkg/model/telemetry_logging.go
// EnvoyTextLogFormat: … "%REQ(X-REQUEST-ID)%" … %ROUTE_NAME%), values made up.
const DEFAULT_LINE = '[2026-09-01T10:00:00.123Z] "GET /catalogue HTTP/1.1" 200 - via_upstream - "-" 0 1234 5 4 "10.244.1.1" "curl/8.5.0" "5f2a3c1e-8b7d-4e2a-9c3f-1a2b3c4d5e6f" "localhost:8080" "10.244.2.7:8079" outbound|80||front-end.sock-shop.svc.cluster.local 10.244.1.5:45678 10.244.1.5:8080 10.244.1.1:52000 - default';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

test('the trace-id link finds a bare %TRACE_ID% or a traceparent value, and nothing in the default format (x-request-id is no trace id)', (t) => {
  const [link] = datasources().find((d) => d.type === 'loki')!.jsonData!.derivedFields!;
  const traceOf = (line: string) => new RegExp(link.matcherRegex).exec(line)?.[1];
  t.is(traceOf(`${DEFAULT_LINE} ${TRACE}`), TRACE);
  t.is(traceOf(`${DEFAULT_LINE} "00-${TRACE}-00f067aa0ba902b7-01"`), TRACE);
  t.is(traceOf(DEFAULT_LINE), undefined);
  t.is(traceOf(`${DEFAULT_LINE} ${TRACE}abcd1234`), undefined, 'a longer hex run is not a trace id');
});

test('the committed dashboard ConfigMaps are what dashboards.ts generates from manifests/observability/dashboards', (t) => {
  const specs = loadDashboardSpecs();
  t.deepEqual(readdirSync(DASHBOARD_CONFIGMAPS).sort(), specs.map((s) => `${s.name}.yaml`).sort());
  for (const s of specs) {
    const committed = readFileSync(path.join(DASHBOARD_CONFIGMAPS, `${s.name}.yaml`), 'utf8');
    t.is(committed, dashboardConfigMapFile(s), `${s.name}: run npx tsx lab/observability/dashboards.ts --write`);
  }
  const loaded = loadManifests('observability/grafana').filter(isDashboardConfigMap) as V1ConfigMap[];
  t.is(loaded.length, specs.length, 'the kustomization lists every dashboard');
});

test('dashboard JSON: every query on the Prometheus uid, panels inside the 24-column grid, variables open on the samples', (t) => {
  for (const s of loadDashboardSpecs()) {
    const d = dashboardJson(s) as { uid: string; panels: Array<{ id: number; gridPos: { x: number; w: number }; targets: Array<{ datasource: { uid: string } }> }>; templating: { list: Array<{ current: { value: string } }> } };
    t.is(d.uid, s.uid);
    t.is(new Set(d.panels.map((p) => p.id)).size, d.panels.length);
    for (const p of d.panels) {
      t.true(p.gridPos.x + p.gridPos.w <= 24, `${s.name} panel ${p.id}`);
      for (const target of p.targets) t.is(target.datasource.uid, DATASOURCE_UIDS.prometheus);
    }
    t.deepEqual(d.templating.list.map((v) => v.current.value), (s.variables ?? []).map((v) => v.default));
  }
});

test('a dashboard source with a misspelt unit, an unknown variable or a bad variable query is refused', (t) => {
  const bad: DashboardSpec = {
    name: 'broken', uid: 'x', title: 'X',
    variables: [{ name: 'namespace', query: 'up', default: 'sock-shop' }],
    panels: [{ title: 'P', unit: 'req/s', expr: 'sum(rate(istio_requests_total{destination_workload_namespace="$namespce"}[$__rate_interval]))' }],
  };
  const problems = dashboardProblems(bad).join('\n');
  t.regex(problems, /variable namespace: query must be label_values/);
  t.regex(problems, /unit req\/s is not one of/);
  t.regex(problems, /uses \$namespce, which is not a variable/);
  t.deepEqual(loadDashboardSpecs().flatMap(dashboardProblems), []);
});
