// The synthetic Istio exporter the Flagger tests run (test/cluster/flagger-traffic.ts), scraped by a
// real Prometheus and read with the two queries Flagger v1.44.0's Istio observer runs
// (pkg/metrics/observers/istio.go: request-success-rate, request-duration) — so what Flagger will
// see in each mode is known before a canary depends on it: healthy passes both of the Canary's
// thresholds (≥ 99 %, ≤ 500 ms), faulty fails the success rate only, slow the duration only, and the
// primary's series stay healthy throughout.
import test from 'ava';
import { startPrometheus, type RunningPrometheus } from '../observability/real-prometheus.ts';
import { startCanaryTraffic, type CanaryTraffic, type TrafficMode } from './flagger-traffic.ts';

const NS = 'flagger-it';
const TARGET = 'web';
const WINDOW = '5s';

/** Flagger's Istio queries with its template variables filled in (namespace, target, interval). */
const successRate = (target: string) => {
  const sel = `reporter="destination",destination_workload_namespace="${NS}",destination_workload=~"${target}"`;
  return `sum(rate(istio_requests_total{${sel},response_code!~"5.*"}[${WINDOW}])) / sum(rate(istio_requests_total{${sel}}[${WINDOW}])) * 100`;
};
const p99 = (target: string) =>
  `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="${NS}",destination_workload=~"${target}"}[${WINDOW}])) by (le))`;

let traffic: CanaryTraffic;
let prom: RunningPrometheus;

test.before(async () => {
  traffic = await startCanaryTraffic({ seed: 11, namespace: NS, target: TARGET });
  prom = await startPrometheus({ scrapeConfigs: [traffic.scrapeConfig('1s')] });
});
test.after.always(async () => {
  await prom?.stop();
  await traffic?.stop();
});

const value = async (expr: string) => {
  const r = await prom.query(expr);
  return r.length ? Number(r[0].value[1]) : NaN;
};

/** Switch the canary to `mode` and wait until a whole window holds only its traffic. */
async function seen(mode: TrafficMode) {
  traffic.setMode(mode);
  await new Promise((r) => setTimeout(r, 7000)); // a 5 s window, 1 s scrapes, plus one for the lag
  return { rate: await value(successRate(TARGET)), p99: await value(p99(TARGET)), primaryRate: await value(successRate(`${TARGET}-primary`)), primaryP99: await value(p99(`${TARGET}-primary`)) };
}

test.serial('healthy: both of the Canary\'s checks pass, for the canary and the primary', async (t) => {
  const s = await seen('healthy');
  t.true(s.rate >= 99, `success rate ${s.rate}`);
  t.true(s.p99 <= 500, `p99 ${s.p99} ms`);
  t.true(s.primaryRate >= 99 && s.primaryP99 <= 500, JSON.stringify(s));
});

test.serial('faulty: the canary\'s success rate falls to about half; its duration and the primary stay healthy', async (t) => {
  const s = await seen('faulty');
  t.true(s.rate > 30 && s.rate < 70, `success rate ${s.rate}`);
  t.true(s.p99 <= 500, `p99 ${s.p99} ms`);
  t.true(s.primaryRate >= 99 && s.primaryP99 <= 500, JSON.stringify(s));
  const c = traffic.counts(TARGET);
  t.true(c.errors > 0 && traffic.counts(`${TARGET}-primary`).errors === 0, `canary errors ${c.errors} of ${c.total}`);
});

test.serial('slow: the canary\'s p99 exceeds 500 ms while its success rate passes; the primary stays fast', async (t) => {
  const s = await seen('slow');
  t.true(s.p99 > 500, `p99 ${s.p99} ms`);
  t.true(s.rate >= 99, `success rate ${s.rate}`);
  t.true(s.primaryRate >= 99 && s.primaryP99 <= 500, JSON.stringify(s));
});

test.serial('a workload without traffic gives Flagger no value (it counts that as a failed check)', async (t) => {
  t.is((await prom.query(successRate('other'))).length, 0);
  t.throws(() => traffic.counts('other'), { message: /no traffic is generated for other/ });
  t.throws(() => traffic.setMode('broken' as TrafficMode), { message: /unknown traffic mode broken/ });
});
