// Contract: runSuccessRateCheck against backends that stop mid-run, directly
// (connection refused) and behind a real nginx (502), plus healthy/flaky ones.
import test from 'ava';
import { runSuccessRateCheck } from '../../lab/checks/success-rate.ts';
import { crash, freePorts, nginxProxyServer, startNginx, startNodeBackend, type NodeBackend, type Peer } from './peers.ts';

const peers: Array<Peer | NodeBackend> = [];
test.after.always(async () => { await Promise.all(peers.map((p) => p.stop())); });

/** Answers 200 to the first `servedRequests` requests, then goes away. The check's reachability probe is request #1. */
async function stoppingBackend(servedRequests: number, port = 0): Promise<NodeBackend> {
  const b = await startNodeBackend('stopping', (_req, res, n, server) => {
    res.end('ok\n');
    if (n === servedRequests) res.on('finish', () => crash(server));
  }, port);
  peers.push(b);
  return b;
}

test('a backend that stops mid-run: failures counted as ECONNREFUSED, rate below min', async (t) => {
  const b = await stoppingBackend(1 + 20); // probe + 20 stream requests
  // keepAlive off: each request opens its own connection, so after the crash requests are
  // refused rather than failing on a stale pooled socket (UND_ERR_SOCKET).
  const r = await runSuccessRateCheck({ url: `http://127.0.0.1:${b.port}/`, durationMs: 2000, intervalMs: 50, min: 0.9, keepAlive: false });
  t.is(r.status, 'fail');
  t.is(r.total, 40);
  t.is(r.ok, 20);
  t.is(r.failed, 20);
  // The server answers exactly 21 requests, so ok/failed are exact. The reason is ECONNREFUSED,
  // except that a request already queued on the listen socket when it closes is reset instead.
  const { ECONNREFUSED: refused = 0, ...others } = r.failedByReason;
  t.true(refused >= 19, JSON.stringify(r.failedByReason));
  t.is(refused + Object.values(others).reduce((a, b) => a + b, 0), 20);
  t.true(Object.keys(others).every((k) => k === 'ECONNRESET' || k === 'UND_ERR_SOCKET'), JSON.stringify(others));
  t.is(r.ratePct, 50);
  t.is(r.longestFailureStreak, 20);
  t.true(r.failureWindowMs !== null && r.failureWindowMs.first >= 995 && r.failureWindowMs.first <= 1150, JSON.stringify(r.failureWindowMs));
  t.true(r.failureWindowMs!.last >= 1945 && r.failureWindowMs!.last <= 2100, JSON.stringify(r.failureWindowMs));
  t.regex(r.reason, /^20\/40 succeeded \(50%, minimum 90%\); failures: ECONNREFUSED ×(19|20).*, longest streak 20, between \d+ and \d+ ms$/);
});

test('a backend behind nginx that stops mid-run: failures counted as http 502', async (t) => {
  const [proxyPort, backendPort] = await freePorts(2);
  await stoppingBackend(1 + 10, backendPort);
  peers.push(await startNginx(nginxProxyServer(proxyPort, backendPort), [proxyPort]));
  const r = await runSuccessRateCheck({ url: `http://127.0.0.1:${proxyPort}/`, durationMs: 1000, intervalMs: 50, min: 0.99 });
  t.is(r.status, 'fail');
  t.deepEqual([r.total, r.ok, r.failed, r.ratePct, r.longestFailureStreak], [20, 10, 10, 50, 10]);
  t.deepEqual(r.failedByReason, { 'http 502': 10 });
  t.true(r.failureWindowMs!.first >= 495 && r.failureWindowMs!.first <= 650, JSON.stringify(r.failureWindowMs));
});

test('a healthy backend passes at 100% with no failure window', async (t) => {
  const b = await startNodeBackend('healthy', (_req, res) => res.end('ok\n'));
  peers.push(b);
  const r = await runSuccessRateCheck({ url: `http://127.0.0.1:${b.port}/`, durationMs: 1000, intervalMs: 50, min: 0.99 });
  t.is(r.status, 'pass', r.reason);
  t.deepEqual([r.total, r.ok, r.failed, r.ratePct, r.longestFailureStreak, r.failureWindowMs], [20, 20, 0, 100, 0, null]);
  t.is(r.reason, '20/20 succeeded (100%, minimum 99%)');
  t.is(b.requests(), 21); // probe + stream
  t.true(r.elapsedMs >= 950 && r.elapsedMs < 1500, `elapsed ${r.elapsedMs}`);
});

test('every 5th request failing gives 80%: passes min 0.75, fails min 0.9', async (t) => {
  const b = await startNodeBackend('flaky', (_req, res, n) => { res.statusCode = n % 5 === 0 ? 500 : 200; res.end(); });
  peers.push(b);
  const url = `http://127.0.0.1:${b.port}/`;
  const r = await runSuccessRateCheck({ url, durationMs: 1000, intervalMs: 50, min: 0.75 });
  t.is(r.status, 'pass', r.reason);
  // Stream requests are #2..#21, so #5, #10, #15, #20 fail.
  t.deepEqual([r.total, r.ok, r.failed, r.ratePct, r.longestFailureStreak], [20, 16, 4, 80, 1]);
  t.deepEqual(r.failedByReason, { 'http 500': 4 });
  const strict = await runSuccessRateCheck({ url, durationMs: 500, intervalMs: 50, min: 0.9 });
  t.is(strict.status, 'fail');
  t.is(strict.total, 10);
  t.is(strict.failed, 2); // #25 and #30 among #23..#32
});
