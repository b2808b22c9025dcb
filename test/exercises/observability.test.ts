// The observability exercise end to end through the real runner, against local peers
// (test/exercises/observability-peers.ts): a REAL Prometheus (Debian's package) scraping an
// Envoy-format endpoint that the fake gateway's requests bump; Loki and Jaeger are HTTP stand-ins
// implementing only the query calls the exercise makes (query_range, /api/traces/{id}), fed by
// the fake gateway's "telemetry". What is proved: the requests carry the marker and traceparent
// through to where each assertion looks, each assertion reports its numbers and how long it took,
// the Loki assertion is skipped visibly where Loki is not installed, on sim everything that needs
// a data plane is skipped visibly, nothing in the cluster is changed, the port-forwards are closed,
// and the JSON and JUnit reports validate. What it does not prove: that Envoy, Alloy, Loki and
// Jaeger behave like the stand-ins (that needs a real mesh: see the report in docs).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promQuery, singleValue } from '../../lab/checks/prom-query.ts';
import { makeObservability, LOKI_SKIP_REASON, TIMING } from '../../lab/exercises/observability.ts';
import { countLogs, frontEndWorkloads, requestsQuery } from '../../lab/exercises/observability-probes.ts';
import { toJUnit } from '../../lab/exercises/report-junit.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { REPO, tempDir } from '../helpers.ts';
import { assertions, exercise, stopMetricsPool, named, runOnPeers, withPeers } from './observability-peers.ts';

test.after.always(stopMetricsPool);

test('the numbers: N = 44 (a 10% loss shows with 99% probability), deadlines logs 60 s, metrics 90 s, traces 150 s', (t) => {
  t.is(TIMING.requests, 44);
  t.deepEqual([TIMING.logs.deadlineMs, TIMING.metrics.deadlineMs, TIMING.traces.deadlineMs], [60_000, 90_000, 150_000]);
  t.deepEqual(frontEndWorkloads(), ['front-end', 'front-end-v2']);
  t.is(requestsQuery(), 'sum(istio_requests_total{reporter="destination", destination_workload_namespace="sock-shop", destination_workload=~"front-end|front-end-v2"})');
  t.deepEqual(makeObservability().needs, ['istio', 'samples', 'kube-prometheus-stack', 'jaeger']);
  t.is(LOKI_SKIP_REASON, 'Loki is installed with LAB_PROFILE=full');
});

test('all three arrive in time: 12/12 log lines from both proxies, 12/12 traces, +12 requests in the real Prometheus; nothing changed, forwards closed', async (t) => {
  await withPeers({}, async (p) => {
    const r = await runOnPeers(exercise(), p);
    t.is(r.status, 'pass', formatExerciseReport(r));
    t.deepEqual(assertions(r).map((a) => [a.name.split(':')[0], a.status]), [['traffic', 'pass'], ['logs', 'pass'], ['traces', 'pass'], ['metrics', 'pass']]);
    const logs = named(r, 'logs');
    t.like(logs.numbers, { n: 12, gatewayRequests: 12, gatewayLines: 12, frontEndRequests: 12, frontEndLines: 12, otherLines: 0, linesWithTraceId: 24, deadlineMs: 1500 });
    t.true((logs.numbers.elapsedMs as number) > 0 && (logs.numbers.elapsedMs as number) <= 1500, JSON.stringify(logs.numbers));
    t.regex(logs.actual!, /^gateway 12\/12 requests \(12 lines\), front-end 12\/12 \(12 lines\) after \d+\.\d s \(\d+ attempts?\); lines with their trace id: 24\/24$/);
    t.like(named(r, 'traces').numbers, { n: 12, complete: 12, gatewayOnly: 0, frontEndOnly: 0, missing: 0 });
    t.regex(named(r, 'traces').actual!, /services seen: front-end\.sock-shop, istio-ingressgateway\.istio-system$/);
    const m = named(r, 'metrics');
    t.like(m.numbers, { n: 12, increase: 12 });
    const before = m.numbers.before as number | null;
    t.is(m.numbers.after, (before ?? 0) + 12);
    t.regex(m.actual!, /^(no series|\d+) → \d+ \(\+12\) after \d+\.\d s/);
    // The 12 went through the real Prometheus: ask it directly.
    t.is(singleValue(await promQuery(p.prometheus.url, requestsQuery())), (before ?? 0) + 12);
    t.deepEqual(p.mesh.applies, [], 'the exercise writes nothing to the cluster');
    t.deepEqual(r.steps.find((s) => s.name === 'cleanup')!.actions, []);
    t.deepEqual([...new Set(p.mesh.forwarded)].sort(), ['jaegerQuery', 'lokiQuery', 'prometheus']);
    t.is(p.mesh.closed, 1, 'the runner closed the forwards once');
    t.regex(p.loki.requests[0], /query=%7Bnamespace%3D%7E%22istio-system%7Csock-shop%22%2C\+container%3D%22istio-proxy%22%7D\+%7C%3D\+%22lab-marker%3D[0-9a-f]{16}\.%22/);
  });
});

test('the requests carry a marker in the query string and a sampled traceparent, each of its own', async (t) => {
  await withPeers({}, async (p) => {
    const r = await runOnPeers(exercise(), p);
    const lines = p.telemetry.logs.filter((l) => l.labels.namespace === 'istio-system').map((l) => /"GET (\S+) HTTP/.exec(l.line)![1]);
    t.is(new Set(lines).size, 12);
    t.true(lines.every((l) => /^\/\?lab-marker=[0-9a-f]{16}\.\d+$/.test(l)));
    const traces = new Set(p.telemetry.spans.map((s) => s.traceId));
    t.is(traces.size, 12);
    t.regex(named(r, 'traffic').actual!, /^12\/12 answered 2xx \(http 200 ×12\); e\.g\. GET \/\?lab-marker=[0-9a-f]{16}\.0 with traceparent 00-[1-9a-f][0-9a-f]{31}-[0-9a-f]{16}-01$/);
  });
});

test('standard profile (no Loki): the log assertion is skipped, saying so; Loki is never asked; the rest passes', async (t) => {
  await withPeers({}, async (p) => {
    const r = await runOnPeers(exercise(), p, { installed: (s) => !['loki', 'alloy'].includes(s) });
    t.is(r.status, 'pass');
    const logs = named(r, 'logs');
    t.deepEqual([logs.status, logs.reason, logs.actual], ['skipped', LOKI_SKIP_REASON, null]);
    t.deepEqual(p.loki.requests, []);
    t.false(p.mesh.forwarded.includes('lokiQuery'));
    const step = r.steps.find((s) => s.name === 'assert')!;
    t.deepEqual([step.status, step.reason], ['skipped', LOKI_SKIP_REASON]);
    t.regex(formatExerciseReport(r), /- logs: each request's access-log line .*: Loki is installed with LAB_PROFILE=full \(would check: all 12 markers/);
    t.deepEqual(r.counts, { passed: 7, failed: 0, skipped: 1, errors: 0 }, "4 needs ready + 3 assertions");
  });
});

test('sim (no data plane): traffic, the three waits and all four assertions skipped visibly; no port-forward opened', async (t) => {
  await withPeers({}, async (p) => {
    for (const installed of [() => true, (s: string) => s !== 'loki']) {
      const r = await runOnPeers(exercise(), p, { dataPlane: false, installed });
      t.is(r.status, 'pass');
      t.deepEqual(r.steps.map((s) => [s.name, s.status]), [['ready', 'pass'], ['setup', 'pass'], ['act', 'skipped'], ['assert', 'skipped'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
      const act = r.steps.find((s) => s.name === 'act')!;
      t.is(act.actions.length, installed('loki') ? 5 : 4);
      t.true(act.actions.every((a) => a.kind === 'traffic' && a.status === 'skipped' && a.reason === SIM_SKIP_REASON));
      t.deepEqual(assertions(r).map((a) => a.reason), [SIM_SKIP_REASON, installed('loki') ? SIM_SKIP_REASON : LOKI_SKIP_REASON, SIM_SKIP_REASON, SIM_SKIP_REASON]);
      t.true(assertions(r).every((a) => a.status === 'skipped' && a.actual === null));
    }
    t.deepEqual(p.mesh.forwarded, []);
    t.deepEqual(p.telemetry.logs, [], 'no request was sent');
  });
});

// --- reports --------------------------------------------------------------------------------

const XSD = path.join(REPO, 'fixtures', 'exercises', 'junit.xsd');
function xmllint(args: string[]) {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is required (${r.error.message}) — install it with: apt-get install -y libxml2-utils`);
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

test('JSON and JUnit of a pass and a fail run: the XSD accepts them, counts match, the failure carries its numbers', async (t) => {
  const pass = await withPeers({}, (p) => runOnPeers(exercise(), p));
  const fail = await withPeers({ telemetry: { gatewaySpansOnly: true } }, (p) => runOnPeers(exercise(), p));
  t.deepEqual([pass.status, fail.status], ['pass', 'fail'], formatExerciseReport(pass));
  const dir = tempDir('lab-obs-junit-');
  const json = JSON.parse(JSON.stringify(fail)) as ExerciseReport;
  t.deepEqual(json, fail, 'the report survives JSON');
  const file = path.join(dir, 'observability.xml');
  writeFileSync(file, toJUnit([pass, fail]));
  const valid = xmllint(['--noout', '--schema', XSD, file]);
  t.is(valid.code, 0, valid.err);
  const x = (e: string) => xmllint(['--xpath', e, file]).out;
  t.is(Number(x('count(/testsuites/testsuite[1]/testcase[@classname="observability.assert"])')), 4);
  t.is(Number(x('count(/testsuites/testsuite[1]//failure | /testsuites/testsuite[1]//error)')), 0);
  const failure = '/testsuites/testsuite[2]/testcase[@classname="observability.assert" and starts-with(@name, "traces:")]/failure';
  t.regex(x(`string(${failure}/@message)`), /^expected all 12 trace ids .*; got 0\/12 complete, 12 with the gateway's span only, 0 with front-end's only, 0 not found not within 1\.5 s/);
  t.regex(x(`string(${failure})`), /numbers: \{"n":12,"complete":0,"gatewayOnly":12,"frontEndOnly":0,"missing":0,"elapsedMs":\d+,"attempts":\d+,"failedAttempts":0,"deadlineMs":1500\}/);
  t.is(Number(x('string(/testsuites/@failures)')), Number(x('count(//testcase/failure)')));
});

test('countLogs: distinct requests per proxy, duplicates counted once, other runs and other streams apart, trace ids counted', (t) => {
  const ids = { run: 'abcdef0123456789', traceIds: ['1'.repeat(32), '2'.repeat(32)], parentIds: ['3'.repeat(16), '4'.repeat(16)] };
  const gw = { namespace: 'istio-system', pod: 'istio-ingressgateway-5d-x', container: 'istio-proxy' };
  const fe = { namespace: 'sock-shop', pod: 'front-end-v2-7c-y', container: 'istio-proxy' };
  const line = (labels: Record<string, string>, text: string) => ({ labels, tsNs: '1', line: text });
  const c = countLogs([
    line(gw, `"GET /?lab-marker=${ids.run}.0 HTTP/1.1" 200 traceparent=00-${'1'.repeat(32)}-${'3'.repeat(16)}-01`),
    line(gw, `"GET /?lab-marker=${ids.run}.0 HTTP/1.1" 200 traceparent=-`), // a shipper's duplicate, without the id
    line(fe, `"GET /?lab-marker=${ids.run}.1 HTTP/1.1" 200`),
    line(gw, `"GET /?lab-marker=ffffffffffffffff.1 HTTP/1.1" 200`), // another run
    line(gw, `"GET /?lab-marker=${ids.run}.7 HTTP/1.1" 200`), // not one of this run's n
    line({ namespace: 'default', pod: 'curl', container: 'curl' }, `GET /?lab-marker=${ids.run}.1`),
  ], ids, 2);
  t.deepEqual(c, { n: 2, gateway: { lines: 2, requests: 1, withTraceId: 1 }, frontEnd: { lines: 1, requests: 1, withTraceId: 0 }, otherLines: 1 });
});
