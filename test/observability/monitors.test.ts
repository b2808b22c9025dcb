// The lab's PodMonitor and ServiceMonitor, translated to the scrape configs prometheus-operator
// would generate, run by a real Prometheus (Debian's) against fake Istio endpoints given to it as
// static targets with the __meta_kubernetes_* labels of real pods and Services. The Istio series
// must come out with the labels Istio's dashboards and Flagger query; pods and Services the
// monitors must not scrape must not be, and each misbehaving peer must make the check fail.
import test from 'ava';
import type { Monitor, PodMonitor } from '../../lab/observability/scrape-config.ts';
import { istioSeriesProblems } from './istio-series.ts';
import { ISTIOD_POD, labMonitors, SOCK_SHOP_PODS, startMeshScenario, type MeshScenario, type ScenarioPod } from './mesh-scenario.ts';

const ss = (w: string) => ({ workload: w, namespace: 'sock-shop' });
const flow = (app: string) => [{ reporter: 'destination' as const, source: ss('front-end'), destination: { ...ss(app), service: app }, perScrape: 2, codes: { 200: 1 } }];
const pod = (app: string, name: string, extra: Partial<ScenarioPod>): ScenarioPod => ({ namespace: 'sock-shop', pod: name, app, flows: flow(app), ...extra });

// Each serves good Istio series; only what the monitor (or the peer) gets wrong keeps them out.
const NO_SCRAPE_ANNOTATION = pod('user', 'user-7b9f6c5d48-n2b6k', { annotations: { scrape: false } });
const APP_CONTAINER = pod('orders', 'orders-6c9d7f8b5-h5j3s', { container: 'orders' });
const WRONG_PORT = pod('payment', 'payment-5b8d6f9c7-w9e4r', { annotations: { port: 'closed' } });
const DROPS_LABEL = pod('shipping', 'shipping-7d6b9c5f8-c3k8d', { misbehave: { dropLabels: ['destination_workload'] } });
const ANSWERS_503 = pod('queue-master', 'queue-master-6f5c8d9b7-z6p1m', { misbehave: { status: 503 } });
const MISBEHAVING = [NO_SCRAPE_ANNOTATION, APP_CONTAINER, WRONG_PORT, DROPS_LABEL, ANSWERS_503];

/** Istio's own sample keeps on the scrape annotation being present, with no regex. */
function presenceRuleVariant(): Monitor {
  const m = structuredClone(labMonitors().find((x) => x.kind === 'PodMonitor')) as PodMonitor;
  m.metadata.name = 'istio-sidecars-presence';
  const rule = m.spec.podMetricsEndpoints[0].relabelings!.find((r) => r.sourceLabels?.[0] === '__meta_kubernetes_pod_annotation_prometheus_io_scrape')!;
  rule.sourceLabels = ['__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape'];
  delete rule.regex;
  return m;
}

let mesh: MeshScenario;
let startedMs = 0;
test.before(async () => {
  const t0 = performance.now();
  mesh = await startMeshScenario({
    seed: 20260901,
    monitors: [...labMonitors(), presenceRuleVariant()],
    extraPods: MISBEHAVING,
    extraServices: [{ service: 'istiod-xds-only', portName: 'grpc-xds' }, { service: 'kiali', serviceLabels: { app: 'kiali' } }],
  });
  await mesh.waitForScrapes(3);
  startedMs = Math.round(performance.now() - t0);
});
test.after.always(async () => { await mesh?.stop(); });

test("every sock-shop sidecar's Istio series come out with namespace, pod, reporter, destination_workload(_namespace), response_code", async (t) => {
  t.log(`Prometheus + fakes up and scraped 3 times in ${startedMs} ms`);
  for (const p of SOCK_SHOP_PODS.filter((x) => x.flows?.length)) {
    t.deepEqual(await istioSeriesProblems(mesh.prometheus, p), [], `${p.namespace}/${p.pod}`);
  }
  const [s] = await mesh.prometheus.query('istio_requests_total{pod="front-end-6d8f7b9c4d-k2x7p", reporter="destination", response_code="200"}');
  t.like(s.metric, { namespace: 'sock-shop', pod: 'front-end-6d8f7b9c4d-k2x7p', container: 'istio-proxy', job: 'monitoring/istio-sidecars', destination_workload: 'front-end', destination_workload_namespace: 'sock-shop', source_workload: 'istio-ingressgateway' });
});

test('the check fails for each pod the monitor must not scrape, and for each misbehaving proxy', async (t) => {
  const problems = async (p: ScenarioPod) => (await istioSeriesProblems(mesh.prometheus, p)).join('; ');
  t.regex(await problems(NO_SCRAPE_ANNOTATION), /no target for it/);
  t.regex(await problems(APP_CONTAINER), /no target for it/);
  t.regex(await problems(WRONG_PORT), /up=0/);
  t.regex(await problems(DROPS_LABEL), /lacks destination_workload/);
  t.regex(await problems(ANSWERS_503), /up=0/);
});

test('which targets Prometheus keeps and drops is what the relabelings say', async (t) => {
  const { activeTargets, droppedTargets } = await mesh.prometheus.api<{ activeTargets: Array<{ labels: Record<string, string>; health: string; scrapePool: string }>; droppedTargets: Array<{ discoveredLabels: Record<string, string> }> }>('/api/v1/targets');
  const pool = 'podMonitor/monitoring/istio-sidecars/0';
  const active = activeTargets.filter((x) => x.scrapePool === pool).map((x) => `${x.labels.pod} ${x.health}`).sort();
  const expected = [...SOCK_SHOP_PODS.map((p) => `${p.pod} up`), `${WRONG_PORT.pod} down`, `${DROPS_LABEL.pod} up`, `${ANSWERS_503.pod} down`].sort();
  t.deepEqual(active, expected);
  // Prometheus 2.42 reports a dropped target's labels as far as relabeling got (job already moved
  // to __tmp_prometheus_job_name by the operator's first rule).
  const poolOf = (l: Record<string, string>) => l.job ?? l.__tmp_prometheus_job_name;
  const dropped = droppedTargets.filter((x) => poolOf(x.discoveredLabels) === pool).map((x) => x.discoveredLabels.__meta_kubernetes_pod_name).sort();
  t.deepEqual(dropped, [APP_CONTAINER.pod, NO_SCRAPE_ANNOTATION.pod].sort());
});

test("Istio's presence-only scrape rule would scrape the pod without the annotation (why ours matches \"true\")", async (t) => {
  const job = 'monitoring/istio-sidecars-presence';
  t.deepEqual(await istioSeriesProblems(mesh.prometheus, { ...NO_SCRAPE_ANNOTATION, job }), []);
  t.regex((await istioSeriesProblems(mesh.prometheus, NO_SCRAPE_ANNOTATION)).join(), /no target for it/);
});

test("istiod's series come out with the app label and the operator's namespace/service/pod/endpoint labels; other Services are not scraped", async (t) => {
  const series = await mesh.prometheus.query('pilot_xds_pushes');
  t.true(series.length >= 4, 'one series per push type');
  for (const s of series) t.like(s.metric, { job: 'istiod', app: 'istiod', namespace: 'istio-system', service: 'istiod', pod: ISTIOD_POD, container: 'discovery', endpoint: 'http-monitoring' });
  t.deepEqual(await mesh.prometheus.query('pilot_xds{service=~"istiod-xds-only|kiali"}'), [], 'wrong port name, and a Service without istio=pilot');
  const up = await mesh.prometheus.query('up{job="istiod"}');
  t.is(up.length, 1);
});
