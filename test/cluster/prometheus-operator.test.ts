// The real prometheus-operator v0.93.0 (the testenv builds it from its Go module) against a sim API
// server: the monitoring.coreos.com CRDs from the same module applied server-side, a Prometheus
// selecting monitors as our kube-prometheus-stack values render it (every selector {}), the lab's
// PodMonitor and ServiceMonitor, and the configuration the operator writes into Secret
// prometheus-<name>. A second Prometheus with the chart's nil-selector default
// (matchLabels release: kube-prometheus-stack) shows an unselected monitor getting no job.
import test from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { waitCrdEstablished } from '../../lab/conditions.ts';
import { Kube } from '../../lab/kube.ts';
import { loadFile, loadManifests } from '../../lab/manifests.ts';
import { scrapeConfigsFor, type Monitor } from '../../lab/observability/scrape-config.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { startKwokCluster, stopKwokCluster } from '../../lab/testenv/cluster.ts';
import { testenvCrds } from '../../lab/testenv/crds.ts';
import { hasTargetLabel, jobDifferences, jobsOf, monitorJobProblems, type MonitorLike } from '../../lab/testenv/monitor-jobs.ts';
import { generatedConfig, OPERATOR_BINARY, startPrometheusOperator, type GeneratedConfig, type RunningOperator } from '../../lab/testenv/prometheus-operator.ts';
import { REPO, tempDir } from '../helpers.ts';
import { requireTestenv } from './harness.ts';
import { labMonitorBadRegex, labMonitorsUnselected, prometheusCr, rulesThatMatter } from './prometheus-operator-objects.ts';

const name = `promop-${process.pid.toString(36)}`;
const root = tempDir('lab-promop-');
const workdir = path.join(root, 'kwok');
const kubeconfig = path.join(root, 'kubeconfig');
const context = `kwok-${name}`;
const NS = 'monitoring';
const CHART_PROMETHEUS = 'kube-prometheus-stack-prometheus'; // the CR name the chart gives release kube-prometheus-stack
const HELM_DEFAULT = 'nil-selector-default';

let k: Kube;
let operator: RunningOperator | undefined;
let labMonitors: KubernetesObject[] = [];
let fixtureMonitors: KubernetesObject[] = [];
let unselected: KubernetesObject;
let badRegex: KubernetesObject;
const live: Record<string, MonitorLike[]> = {};
const configs: Record<string, GeneratedConfig> = {};
let crdSeconds = 0;

const refKey = (o: KubernetesObject) => `${o.kind}/${o.metadata!.namespace}/${o.metadata!.name}`;
/** The monitors as the API server stored them (with the CRD's defaults, e.g. action: replace). */
async function readBack(objs: KubernetesObject[]): Promise<MonitorLike[]> {
  return Promise.all(objs.map(async (o) => (await k.get<KubernetesObject>({ apiVersion: o.apiVersion!, kind: o.kind!, namespace: o.metadata!.namespace, name: o.metadata!.name! }))!));
}

test.before(async () => {
  const missing = requireTestenv() ?? (existsSync(path.join(testenvBinDir(), OPERATOR_BINARY)) ? undefined : `${OPERATOR_BINARY} is not built: run make testenv`);
  if (missing) throw new Error(missing);
  mkdirSync(workdir, { recursive: true });
  await startKwokCluster({ name, kubeconfig, workdir });
  k = Kube.fromFile(kubeconfig, context);

  const crds = testenvCrds('monitoring.coreos.com');
  const t0 = performance.now();
  await k.apply(crds); // server-side: prometheuses is ≈ 830 KB, beyond client-side apply's annotation
  for (const c of crds) await waitCrdEstablished(k, c.metadata!.name!, 60_000);
  crdSeconds = Math.round((performance.now() - t0) / 100) / 10;

  labMonitors = loadManifests('observability/monitors');
  const fixture = loadFile('operator-check.yaml', path.join(REPO, 'fixtures', 'monitors'));
  fixtureMonitors = fixture.filter((o) => o.kind !== 'Namespace');
  unselected = labMonitorsUnselected(labMonitors);
  badRegex = labMonitorBadRegex(labMonitors);
  const namespaces = [...new Set([NS, ...labMonitors.map((o) => o.metadata!.namespace!)])].map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }));
  await k.apply([...namespaces, ...fixture.filter((o) => o.kind === 'Namespace'), ...labMonitors, ...fixtureMonitors, unselected, badRegex]);
  live.lab = await readBack(labMonitors);
  live.fixture = await readBack(fixtureMonitors);
  live.unselected = await readBack([unselected]);
  live.badRegex = await readBack([badRegex]);

  await k.apply([prometheusCr(NS, CHART_PROMETHEUS, {}), prometheusCr(NS, HELM_DEFAULT, { matchLabels: { release: 'kube-prometheus-stack' } })]);
  operator = await startPrometheusOperator({ kubeconfig, context });
  for (const p of [CHART_PROMETHEUS, HELM_DEFAULT]) configs[p] = await generatedConfig(k, NS, p, 90_000);
});

test.after.always(async () => {
  await operator?.stop();
  await stopKwokCluster(name, { kubeconfig, workdir }).catch(() => {});
});

test('the CRDs from the module are applied server-side and established; the schema refuses a bad monitor', async (t) => {
  t.log(`10 CRDs applied and established in ${crdSeconds}s`);
  const crds = await k.list<KubernetesObject>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  t.deepEqual(crds.map((c) => c.metadata!.name!).filter((n) => n.endsWith('.monitoring.coreos.com')).sort(), testenvCrds('monitoring.coreos.com').map((c) => c.metadata!.name!).sort());
  const bad = structuredClone(labMonitors.find((o) => o.kind === 'PodMonitor')!) as KubernetesObject & { spec: { podMetricsEndpoints: Array<{ relabelings: Array<{ action: string }> }> } };
  bad.metadata!.name = 'misspelt-action';
  bad.spec.podMetricsEndpoints[0].relabelings[0].action = 'kep';
  const err = await t.throwsAsync(k.apply([bad]));
  t.regex(`${err?.message} ${(err as { detail?: string }).detail}`, /Unsupported value: "kep"/);
});

test('the operator writes a job for each of the lab\'s monitors, with their relabelings and the namespace/pod labels', (t) => {
  const config = configs[CHART_PROMETHEUS];
  t.log(`operator: prometheus-operator ${operator!.args.join(' ')}`);
  t.log(`jobs in prometheus-${CHART_PROMETHEUS}: ${[...jobsOf(config).keys()].join(', ')}`);
  t.deepEqual(monitorJobProblems(config, [...live.lab, ...live.fixture, ...live.unselected]), []);
  const jobs = jobsOf(config);
  for (const m of [...live.lab, ...live.fixture].filter((o) => o.kind === 'PodMonitor')) {
    const job = jobs.get(`podMonitor/${m.metadata!.namespace}/${m.metadata!.name}/0`)!;
    t.true(hasTargetLabel(job, 'namespace', '__meta_kubernetes_namespace'), `${refKey(m as KubernetesObject)} namespace label`);
    t.true(hasTargetLabel(job, 'pod', '__meta_kubernetes_pod_name'), `${refKey(m as KubernetesObject)} pod label`);
  }
});

test('a monitor the nil-selector default does not select gets no job, and the check names it', (t) => {
  const config = configs[HELM_DEFAULT];
  t.deepEqual(monitorJobProblems(config, live.lab), [], 'the lab labels its monitors release: kube-prometheus-stack, so even this Prometheus picks them up');
  const problems = monitorJobProblems(config, live.unselected);
  t.is(problems.length, 1);
  t.regex(problems[0], new RegExp(`no job podMonitor/${NS}/${unselected.metadata!.name}/0`));
  t.regex(monitorJobProblems(config, live.fixture).join('\n'), /no job podMonitor\/lab-fixture\/fixture-pods\/0[\s\S]*no job serviceMonitor\/lab-fixture\/fixture-service\/0/);
});

test('a monitor whose regex does not compile is accepted by the CRD but refused by the operator: no job, a Warning event', async (t) => {
  const bad = badRegex.metadata!.name!;
  t.truthy(live.badRegex[0], 'the API server stored it');
  t.deepEqual(monitorJobProblems(configs[CHART_PROMETHEUS], live.badRegex), [`PodMonitor ${NS}/${bad}: no job podMonitor/${NS}/${bad}/0 (the Prometheus does not select it, or the operator rejected it)`]);
  type Ev = KubernetesObject & { reason?: string; note?: string; regarding?: { name?: string } };
  const deadline = Date.now() + 15_000;
  let ev: Ev | undefined;
  while (!ev && Date.now() < deadline) {
    ev = (await k.list<Ev>('events.k8s.io/v1', 'Event', { namespace: NS })).find((e) => e.regarding?.name === bad && e.reason === 'InvalidConfiguration');
    if (!ev) await new Promise((r) => setTimeout(r, 500));
  }
  t.truthy(ev, 'the operator recorded why');
  t.regex(ev?.note ?? '', /invalid regex \(istio-proxy/);
});

test('a generated job missing one of the monitor\'s relabelings, or with them reordered, is caught', (t) => {
  const config = structuredClone(configs[CHART_PROMETHEUS]);
  const pm = live.lab.find((m) => m.kind === 'PodMonitor')!;
  const job = config.scrape_configs!.find((j) => j.job_name === `podMonitor/${pm.metadata!.namespace}/${pm.metadata!.name}/0`)!;
  const rules = job.relabel_configs as Array<Record<string, unknown>>;
  const keepSidecar = rules.findIndex((r) => r.regex === 'istio-proxy');
  t.true(keepSidecar >= 0);
  const [removed] = rules.splice(keepSidecar, 1);
  t.regex(monitorJobProblems(config, [pm]).join('\n'), /lacks relabeling 1 .*istio-proxy/);
  rules.push(removed); // present again, but after the address rewrites
  t.regex(monitorJobProblems(config, [pm]).join('\n'), /lacks relabeling 2 .*out of order/);
});

test('the operator\'s jobs and lab/observability/scrape-config.ts agree on the rules that matter (other differences logged)', (t) => {
  const jobs = jobsOf(configs[CHART_PROMETHEUS]);
  for (const m of [...live.lab, ...live.fixture]) {
    scrapeConfigsFor(m as unknown as Monitor).forEach((translated, i) => {
      const generated = jobs.get(translated.job_name as string)!;
      t.truthy(generated, `${translated.job_name} generated`);
      const diffs = jobDifferences(generated, translated, ['operator', 'translation']);
      t.log(`${translated.job_name}: ${diffs.length ? `${diffs.length} differences\n  ${diffs.join('\n  ')}` : 'identical'}`);
      t.deepEqual(rulesThatMatter(translated), rulesThatMatter(generated), `${translated.job_name}: keep/drop, container/port, namespace/pod, address/path rules (endpoint ${i})`);
    });
  }
  // And the comparison can fail: a translation that forgot the sidecar-container keep.
  const pm = live.lab.find((m) => m.kind === 'PodMonitor')!;
  const [translated] = scrapeConfigsFor(pm as unknown as Monitor);
  const rules = translated.relabel_configs as Array<Record<string, unknown>>;
  rules.splice(rules.findIndex((r) => r.regex === 'istio-proxy'), 1);
  t.notDeepEqual(rulesThatMatter(translated), rulesThatMatter(jobs.get(translated.job_name as string)!));
  t.regex(jobDifferences(jobs.get(translated.job_name as string)!, translated, ['operator', 'translation']).join('\n'), /only operator has .*istio-proxy/);
});
