// Contract: runBreakerCheck against a real haproxy whose only server takes one
// connection; queued requests time out into 503s tagged x-envoy-overloaded.
import test from 'ava';
import { runBreakerCheck } from '../../lab/checks/breaker.ts';
import { freePorts, startHaproxy, startNodeBackend, type NodeBackend, type Peer } from './peers.ts';

const BACKEND_DELAY_MS = 50;
const QUEUE_TIMEOUT_MS = 20;
let haproxy: Peer | undefined;
let slow: NodeBackend | undefined;
const url = { tight: '', roomy: '', bare: '' };

test.before(async () => {
  const [tight, roomy, bare, backend] = await freePorts(4);
  slow = await startNodeBackend('slow', (_req, res) => { setTimeout(() => res.end('ok\n'), BACKEND_DELAY_MS); }, backend);
  haproxy = await startHaproxy({ tight, roomy, bare, backend }, QUEUE_TIMEOUT_MS);
  url.tight = `http://127.0.0.1:${tight}/`;
  url.roomy = `http://127.0.0.1:${roomy}/`;
  url.bare = `http://127.0.0.1:${bare}/`;
});

test.after.always(async () => {
  await haproxy?.stop();
  await slow?.stop();
});

test.serial('maxconn 1 under concurrency 10 overflows with x-envoy-overloaded 503s, and some 200s get through', async (t) => {
  const r = await runBreakerCheck({ url: url.tight, concurrency: 10, requests: 200, minOverflow: 0.5 });
  t.is(r.status, 'pass', r.reason);
  const c = r.counts;
  t.is(c.ok + c.overflow, 200, JSON.stringify(c));
  t.is(c.other503 + c.otherStatus + c.errors, 0);
  t.true(c.overflow >= 100, `overflow ${c.overflow}`);
  t.true(c.ok >= 1, `ok ${c.ok}`);
  t.is(r.overflowPct, Math.round((c.overflow / 200) * 10_000) / 100);
  t.true(r.overflowCiPct.lower <= r.overflowPct && r.overflowPct <= r.overflowCiPct.upper);
  t.regex(r.reason, /^\d+(\.\d+)?% overflow \(≥ 50%\) and \d+ successful 200s at concurrency 10$/);
  // 200s waited for the slow server; overflows were shed after the queue timeout.
  t.true(r.latencyOk !== null && r.latencyOk.p50Ms >= BACKEND_DELAY_MS - 5, JSON.stringify(r.latencyOk));
  t.true(r.latencyOverflow !== null && r.latencyOverflow.p50Ms >= QUEUE_TIMEOUT_MS - 5, JSON.stringify(r.latencyOverflow));
  t.true(r.latencyOverflow!.p50Ms < r.latencyOk!.p50Ms);
  const l = r.latency!;
  t.is(l.count, 200);
  t.true(l.p50Ms <= l.p95Ms && l.p95Ms <= l.p99Ms && l.p99Ms <= l.maxMs, JSON.stringify(l));
});

test.serial('a server with room for everyone never overflows, so the check fails', async (t) => {
  const r = await runBreakerCheck({ url: url.roomy, concurrency: 10, requests: 60, minOverflow: 0.2 });
  t.is(r.status, 'fail');
  t.deepEqual(r.counts, { ok: 60, overflow: 0, other503: 0, otherStatus: 0, errors: 0 });
  t.is(r.reason, 'overflow 0% (0/60 503s with x-envoy-overloaded) is below the minimum 20%');
  t.true(r.latencyOk!.p50Ms >= BACKEND_DELAY_MS - 5);
});

test.serial('503s without x-envoy-overloaded are not counted as breaker overflow', async (t) => {
  const r = await runBreakerCheck({ url: url.bare, concurrency: 10, requests: 100, minOverflow: 0.5 });
  t.is(r.status, 'fail');
  t.is(r.counts.overflow, 0);
  t.true(r.counts.other503 >= 50, JSON.stringify(r.counts));
  t.is(r.counts.ok + r.counts.other503, 100);
  t.deepEqual(r.otherByReason, { 'http 503 without x-envoy-overloaded': r.counts.other503 });
  t.regex(r.reason, /^overflow 0% \(0\/100 503s with x-envoy-overloaded\) is below the minimum 50%; other outcomes: http 503 without x-envoy-overloaded ×\d+$/);
});

test.serial('option errors name the flag', async (t) => {
  await t.throwsAsync(runBreakerCheck({ url: url.tight, concurrency: 10, requests: 10, minOverflow: 20 }), {
    message: '--min-overflow: must be a fraction between 0 and 1, got 20 (did you mean 0.2?)',
  });
  await t.throwsAsync(runBreakerCheck({ url: url.tight, concurrency: 0, requests: 10, minOverflow: 0.2 }), {
    message: '--concurrency: must be a positive integer, got 0',
  });
});
