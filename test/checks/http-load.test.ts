import test from 'ava';
import { assertReachable, sendRequests, TargetUnreachableError } from '../../lab/checks/http-load.ts';
import { freePorts, startNodeBackend, type NodeBackend } from './peers.ts';

const started: NodeBackend[] = [];
test.after.always(async () => { await Promise.all(started.map((b) => b.stop())); });

async function backend(handler: Parameters<typeof startNodeBackend>[1]): Promise<NodeBackend & { url: string }> {
  const b = await startNodeBackend('unit', handler);
  started.push(b);
  return Object.assign(b, { url: `http://127.0.0.1:${b.port}/path?q=1` });
}

test('records status, requested headers and a bounded body snippet', async (t) => {
  const b = await backend((req, res) => {
    res.setHeader('x-lab-version', 'v2');
    res.setHeader('x-other', 'ignored');
    res.statusCode = req.url === '/path?q=1' ? 201 : 400;
    res.end('version=v2 '.padEnd(10_000, '.'));
  });
  const run = await sendRequests({ url: b.url, requests: 3, concurrency: 2, captureHeaders: ['X-Lab-Version'], bodySnippetChars: 12 });
  t.is(run.results.length, 3);
  t.is(run.stoppedBy, 'count');
  t.deepEqual(run.results.map((r) => r.index), [0, 1, 2]);
  for (const r of run.results) {
    t.is(r.status, 201);
    t.deepEqual(r.headers, { 'x-lab-version': 'v2' });
    t.is(r.body, 'version=v2 .');
    t.is(r.errorCode, undefined);
    t.true(r.latencyMs >= 0 && r.latencyMs < 2000);
  }
});

test('never exceeds the concurrency bound', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const b = await backend((_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => { inFlight--; res.end('ok'); }, 10);
  });
  const run = await sendRequests({ url: b.url, requests: 40, concurrency: 3 });
  t.is(run.results.filter((r) => r.status === 200).length, 40);
  t.is(maxInFlight, 3);
  t.is(b.requests(), 40);
});

test('keepAlive=false opens a new connection per request, keepAlive=true reuses them', async (t) => {
  let sockets = new Set<unknown>();
  const b = await backend((req, res) => { sockets.add(req.socket); res.end('ok'); });
  await sendRequests({ url: b.url, requests: 12, concurrency: 2, keepAlive: false });
  t.is(sockets.size, 12);
  sockets = new Set();
  await sendRequests({ url: b.url, requests: 12, concurrency: 2, keepAlive: true });
  t.true(sockets.size <= 2, `expected at most 2 connections, got ${sockets.size}`);
});

test('a silent server times out per request with ETIMEDOUT, not a hang', async (t) => {
  const b = await backend(() => { /* never answers */ });
  const t0 = Date.now();
  const run = await sendRequests({ url: b.url, requests: 2, concurrency: 2, timeoutMs: 300 });
  const elapsed = Date.now() - t0;
  t.deepEqual(run.results.map((r) => [r.status, r.errorCode]), [[null, 'ETIMEDOUT'], [null, 'ETIMEDOUT']]);
  t.regex(run.results[0].errorMessage ?? '', /no complete response within 300 ms/);
  t.true(elapsed >= 280 && elapsed < 1500, `elapsed ${elapsed} ms`);
});

test('the total deadline stops launching and cuts in-flight requests', async (t) => {
  const b = await backend((_req, res) => { setTimeout(() => res.end('ok'), 100); });
  const t0 = Date.now();
  const run = await sendRequests({ url: b.url, requests: 1000, concurrency: 2, deadlineMs: 450, timeoutMs: 5000 });
  const elapsed = Date.now() - t0;
  t.is(run.stoppedBy, 'deadline');
  t.true(elapsed < 1000, `elapsed ${elapsed} ms`);
  const ok = run.results.filter((r) => r.status === 200).length;
  t.true(ok >= 2 && ok <= 10, `ok ${ok}`); // at most 2 in flight × 4 full rounds of 100 ms before 450 ms
  t.true(run.results.length <= 10, `launched ${run.results.length}`);
  t.true(run.results.every((r) => r.status === 200 || r.errorCode === 'DEADLINE'));
});

test('intervalMs paces launches; until() stops early', async (t) => {
  const b = await backend((_req, res) => res.end('ok'));
  const paced = await sendRequests({ url: b.url, requests: 6, concurrency: 2, intervalMs: 40 });
  // Never early; late only by scheduler delay (generous bound: other test files load the CPU).
  paced.results.forEach((r, i) => t.true(r.startedAtMs >= i * 40 - 1 && r.startedAtMs < i * 40 + 150, `request ${i} at ${r.startedAtMs}`));
  t.true(paced.elapsedMs >= 5 * 40, `elapsed ${paced.elapsedMs}`);
  const stopped = await sendRequests({ url: b.url, requests: 100, concurrency: 1, until: (_r, done) => done.length === 5 });
  t.is(stopped.stoppedBy, 'until');
  t.is(stopped.results.length, 5);
});

test('a refused port yields ECONNREFUSED results and assertReachable throws a clear error fast', async (t) => {
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}/`;
  const run = await sendRequests({ url, requests: 3, concurrency: 1 });
  t.deepEqual(run.results.map((r) => r.errorCode), ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  const t0 = Date.now();
  const err = await t.throwsAsync(assertReachable(url), { instanceOf: TargetUnreachableError });
  t.is(err?.message, `cannot reach ${url} (ECONNREFUSED) — is the port-forward/ingress up?`);
  t.true(Date.now() - t0 < 1000);
});

test('invalid options are rejected with context', async (t) => {
  await t.throwsAsync(sendRequests({ url: 'ftp://x/', requests: 1, concurrency: 1 }), { message: '--url: only http:// and https:// are supported, got ftp:' });
  await t.throwsAsync(sendRequests({ url: 'not a url', requests: 1, concurrency: 1 }), { message: '--url: not a valid URL: "not a url"' });
  await t.throwsAsync(sendRequests({ url: 'http://127.0.0.1/', requests: 0, concurrency: 1 }), { message: 'http-load: requests must be a positive integer, got 0' });
});
