// Every query of every lab dashboard, evaluated against a real Prometheus that scrapes the fake
// sock-shop mesh through the lab's monitors: each returns data, with the labels it matches, groups
// and labels its legend by. A dashboard with a misspelt metric or label fails the same check.
import test from 'ava';
import { loadDashboardSpecs, type DashboardSpec } from '../../lab/observability/dashboards.ts';
import { checkDashboard } from './dashboard-check.ts';
import { startMeshScenario, type MeshScenario } from './mesh-scenario.ts';

let mesh: MeshScenario;
test.before(async () => {
  mesh = await startMeshScenario({ seed: 20260902 });
  await mesh.waitForScrapes(4);
});
test.after.always(async () => { await mesh?.stop(); });

const specs = loadDashboardSpecs();

for (const spec of specs) {
  test(`dashboard ${spec.name}: every query returns data with the labels it uses`, async (t) => {
    const { problems, queries } = await checkDashboard(mesh.prometheus, spec);
    t.deepEqual(problems, []);
    t.true(queries >= spec.panels.length);
    t.log(`${queries} queries and variables checked`);
  });
}

/** `spec` with the first occurrence of `from` (in a variable query or a panel query) replaced. */
function misspelt(name: string, from: string, to: string): DashboardSpec {
  const spec = structuredClone(specs.find((s) => s.name === name)!);
  for (const v of spec.variables ?? []) if (v.query.includes(from)) { v.query = v.query.replace(from, to); return spec; }
  for (const p of spec.panels) {
    for (const q of p.queries ?? []) if (q.expr.includes(from)) { q.expr = q.expr.replace(from, to); return spec; }
    if (p.expr?.includes(from)) { p.expr = p.expr.replace(from, to); return spec; }
  }
  throw new Error(`${name} has no ${from}`);
}

const MISSPELLINGS: Array<[string, string, string, RegExp]> = [
  ['istio-workload', '(rate(istio_requests_total{reporter="source"', '(rate(istio_request_total{reporter="source"', /"Outbound requests \/ s by service and response code": no data/],
  ['istio-workload', 'destination_workload="$workload"', 'destination_workloads="$workload"', /has no label destination_workloads/],
  ['istio-mesh', 'response_code!~"5.."', 'response_cod!~"5.."', /istio_requests_total has no label response_cod/],
  ['istio-mesh', 'sum by (destination_workload_namespace, destination_workload)', 'sum by (destination_workload_namespace, destination_workload_name)', /groups by destination_workload_name/],
  ['istio-service', 'destination_service_name)', 'destination_service_nam)', /variable service: destination_service_nam values \[\] lack front-end/],
  ['istio-control-plane', 'pilot_proxy_convergence_time_bucket', 'pilot_proxy_convergence_time_seconds_bucket', /no series named pilot_proxy_convergence_time_seconds_bucket/],
  ['istio-performance', 'container="istio-proxy"', 'container="istio_proxy"', /no data/],
];

test('a dashboard with a misspelt metric or label fails the check', async (t) => {
  for (const [name, from, to, expected] of MISSPELLINGS) {
    const { problems } = await checkDashboard(mesh.prometheus, misspelt(name, from, to));
    t.regex(problems.join('\n'), expected, `${name}: ${from} → ${to}`);
  }
  const legend = structuredClone(specs.find((s) => s.name === 'istio-control-plane')!);
  legend.panels.find((p) => p.legend === '{{type}}')!.legend = '{{kind}}';
  t.regex((await checkDashboard(mesh.prometheus, legend)).problems.join('\n'), /legend names \{\{kind\}\}/);
});
