// The query clients (lab/checks/{prom,loki,jaeger}-query.ts) and the polling helper
// (lab/checks/poll.ts). The clients run against the stand-ins of test/exercises/fake-{loki,jaeger}.ts
// and small servers that answer what the real APIs answer when something is wrong (a bad query, a
// 503 while starting, a body that is not JSON, no answer at all): every error names the URL and
// the status with the start of the body. The poller runs on a fake clock.
import test from 'ava';
import { createServer } from 'node:http';
import { QueryError } from '../../lab/checks/http-json.ts';
import { jaegerTrace, normalTraceId } from '../../lab/checks/jaeger-query.ts';
import { lokiQueryRange, msToNs } from '../../lab/checks/loki-query.ts';
import { pollFor } from '../../lab/checks/poll.ts';
import { promQuery, singleValue } from '../../lab/checks/prom-query.ts';
import { json, startFake } from './fake-http.ts';
import { startFakeJaeger } from './fake-jaeger.ts';
import { startFakeLoki } from './fake-loki.ts';
import { FakeTelemetry } from './fake-telemetry.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function observed(tel: FakeTelemetry, path: string, traceparent?: string) {
  tel.observe({ path, headers: traceparent ? { traceparent } : {}, status: 200, upstream: true, subset: 'v1' });
}

test('loki: query_range returns the matching lines with their stream labels; the time window and filters apply', async (t) => {
  const tel = new FakeTelemetry({ logDelayMs: 0 });
  observed(tel, '/?lab-marker=abc.0');
  observed(tel, '/?lab-marker=zzz.0');
  const loki = await startFakeLoki(tel);
  try {
    const now = Date.now();
    const lines = await lokiQueryRange(loki.url, { query: '{namespace=~"istio-system|sock-shop", container="istio-proxy"} |= "lab-marker=abc."', startMs: now - 60_000, endMs: now + 60_000, limit: 100 });
    t.deepEqual(lines.map((l) => l.labels.namespace).sort(), ['istio-system', 'sock-shop']);
    t.true(lines.every((l) => l.line.includes('GET /?lab-marker=abc.0 HTTP/1.1') && /^\d{19}$/.test(l.tsNs)));
    const earlier = await lokiQueryRange(loki.url, { query: '{container="istio-proxy"}', startMs: now - 60_000, endMs: now - 30_000, limit: 100 });
    t.deepEqual(earlier, [], 'nothing outside the window');
    t.regex(loki.requests[0], new RegExp(`start=${msToNs(now - 60_000)}&end=${msToNs(now + 60_000)}&limit=100&direction=forward`));
  } finally {
    await loki.stop();
  }
});

test('loki: a query Loki cannot parse is a QueryError with the URL, 400 and the message', async (t) => {
  const loki = await startFakeLoki(new FakeTelemetry());
  try {
    const err = await t.throwsAsync(lokiQueryRange(loki.url, { query: 'namespace="x"', startMs: 0, endMs: 1, limit: 10 }), { instanceOf: QueryError });
    t.regex(err!.message, /^GET http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/query_range\?query=namespace%3D%22x%22.* → HTTP 400: parse error at line 1, col 1/);
    t.is((err as QueryError).status, 400);
  } finally {
    await loki.stop();
  }
});

test('jaeger: a trace in the UI model comes back as spans with service names; 404 "trace not found" is undefined', async (t) => {
  const tel = new FakeTelemetry({ spanDelayMs: 0 });
  observed(tel, '/', `00-${TRACE}-00f067aa0ba902b7-01`);
  const jaeger = await startFakeJaeger(tel);
  try {
    const spans = await jaegerTrace(jaeger.url, TRACE);
    t.deepEqual(spans!.map((s) => [s.service, s.parentSpanId === '00f067aa0ba902b7']), [['istio-ingressgateway.istio-system', true], ['front-end.sock-shop', false]]);
    t.true(spans!.every((s) => normalTraceId(s.traceId) === normalTraceId(TRACE)));
    t.is(await jaegerTrace(jaeger.url, 'a'.repeat(32)), undefined);
  } finally {
    await jaeger.stop();
  }
});

test('normalTraceId: Jaeger drops the leading zeros of the high half', (t) => {
  t.is(normalTraceId('00000000000000001234567890abcdef'), normalTraceId('1234567890ABCDEF'));
  t.not(normalTraceId('1'.repeat(32)), normalTraceId('1'.repeat(16)));
});

test('prometheus: a vector; no series is null; an error answer keeps errorType and error', async (t) => {
  const prom = await startFake((_req, url, res) => {
    const q = url.searchParams.get('query');
    if (q === 'bad(') return json(res, 400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis' });
    if (q === 'none') return json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } });
    if (q === 'matrix') return json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1767312000.5, '44'] }] } });
  });
  try {
    t.deepEqual(await promQuery(prom.url, 'sum(x)'), [{ metric: {}, value: 44, at: 1767312000.5 }]);
    t.is(singleValue(await promQuery(prom.url, 'sum(x)')), 44);
    t.is(singleValue(await promQuery(prom.url, 'none')), null);
    const bad = await t.throwsAsync(promQuery(prom.url, 'bad('), { instanceOf: QueryError });
    t.regex(bad!.message, /\/api\/v1\/query\?query=bad%28 → HTTP 400: bad_data: invalid parameter "query": 1:5: parse error: unclosed left parenthesis$/);
    await t.throwsAsync(promQuery(prom.url, 'matrix'), { message: /expected a vector, got matrix/ });
    t.throws(() => singleValue([{ metric: { a: '1' }, value: 1, at: 0 }, { metric: { a: '2' }, value: 2, at: 0 }]), { message: /expected one sample, got 2/ });
  } finally {
    await prom.stop();
  }
});

test('errors name the URL and say what came back: 503 with its body, not JSON, no answer in time, nothing listening', async (t) => {
  const fake = await startFake((_req, url, res) => {
    if (url.pathname.startsWith('/html')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Grafana login</body></html>');
    res.writeHead(200).write('{"status":'); // and never finish
  });
  const hang = createServer(() => undefined);
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  try {
    await t.throwsAsync(promQuery(fake.url, 'x', { timeoutMs: 300 }), { message: `GET ${fake.url}/api/v1/query?query=x: no answer within 300 ms` });
    await t.throwsAsync(lokiQueryRange(`${fake.url}/html`, { query: '{a="b"}', startMs: 0, endMs: 1, limit: 1 }), { message: /^GET .* → HTTP 200, but the body is not JSON: <html><body>Grafana login<\/body><\/html>$/ });
    fake.failWith = { status: 503, body: 'Ingester not ready: waiting for 15s after being ready' };
    const e503 = await t.throwsAsync(jaegerTrace(fake.url, TRACE), { instanceOf: QueryError });
    t.is(e503!.message, `GET ${fake.url}/api/traces/${TRACE} → HTTP 503: Ingester not ready: waiting for 15s after being ready`);
    const port = (hang.address() as { port: number }).port;
    await t.throwsAsync(jaegerTrace(`http://127.0.0.1:${port}`, TRACE, { timeoutMs: 200 }), { message: `GET http://127.0.0.1:${port}/api/traces/${TRACE}: no answer within 200 ms` });
    await t.throwsAsync(promQuery('http://127.0.0.1:1', 'x'), { message: /^GET http:\/\/127\.0\.0\.1:1\/api\/v1\/query\?query=x: ECONNREFUSED/ });
  } finally {
    hang.closeAllConnections();
    hang.close();
    await fake.stop();
  }
});

/** A clock that only moves when the poller sleeps, and a probe that takes 10 ms. */
function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms: number) => { t += ms; }, advance: (ms: number) => { t += ms; } };
}

test('pollFor: holds on the 4th attempt → ok with the elapsed time since `since` and the attempts', async (t) => {
  const c = fakeClock();
  const since = c.now() - 500; // the data was produced 500 ms before the wait began
  const r = await pollFor(async (n) => { c.advance(10); return n; }, (n) => n >= 4, { deadlineMs: 10_000, everyMs: 1000, since, now: c.now, sleep: c.sleep });
  t.deepEqual(r, { value: 4, ok: true, elapsedMs: 500 + 4 * 10 + 3 * 1000, attempts: 4, errors: 0 });
});

test('pollFor: never holds → not ok after one last probe at the deadline; late data does not count', async (t) => {
  const c = fakeClock();
  const since = c.now();
  const starts: number[] = [];
  const r = await pollFor(async () => { starts.push(c.now() - since); return c.now() - since; }, (v) => v > 2500, { deadlineMs: 2500, everyMs: 1000, since, now: c.now, sleep: c.sleep });
  t.false(r.ok);
  t.deepEqual(starts, [0, 1000, 2000, 2500], 'the last pause is cut short so one probe runs at the deadline');
  t.is(r.attempts, 4);
  t.is(r.elapsedMs, 2500);
});

test('pollFor: a probe that throws is one more attempt; the last error is kept only while it lasts', async (t) => {
  const c = fakeClock();
  let n = 0;
  const failing = await pollFor(async () => { n++; throw new Error(`HTTP 503 #${n}`); }, () => true, { deadlineMs: 3000, everyMs: 1000, now: c.now, sleep: c.sleep });
  t.deepEqual(failing, { value: undefined, ok: false, elapsedMs: 3000, attempts: 4, errors: 4, lastError: 'HTTP 503 #4' });
  n = 0;
  const recovers = await pollFor(async () => { if (++n < 3) throw new Error('starting'); return n; }, (v) => v === 3, { deadlineMs: 9000, everyMs: 1000, now: c.now, sleep: c.sleep });
  t.deepEqual([recovers.ok, recovers.attempts, recovers.errors, recovers.lastError], [true, 3, 2, undefined]);
  await t.throwsAsync(pollFor(async () => 1, () => true, { deadlineMs: 1, everyMs: 0 }), { instanceOf: RangeError });
});
