// Contract: runSplitCheck against a real nginx splitting traffic over real
// version backends (smooth weighted round robin and weighted random).
import test from 'ava';
import { runSplitCheck } from '../../lab/checks/split.ts';
import type { SplitReport } from '../../lab/checks/report-types.ts';
import { freePorts, nginxSplitServer, nginxVersionServer, startNginx, type Peer } from './peers.ts';

const FRONTENDS = ['rr8020', 'rr7030', 'rr502525', 'rnd8020', 'rnd7030', 'converge', 'unexpected', 'flaky'] as const;
type Frontend = (typeof FRONTENDS)[number];
const url: Partial<Record<Frontend, string>> = {};
let nginx: Peer | undefined;

test.before(async () => {
  const ports = await freePorts(3 + FRONTENDS.length);
  const [v1, v2, v3] = ports;
  const fe = Object.fromEntries(FRONTENDS.map((name, i) => [name, ports[3 + i]])) as Record<Frontend, number>;
  const w = (a: number, b: number) => [{ port: v1, weight: a }, { port: v2, weight: b }];
  const blocks = [
    nginxVersionServer(v1, 'v1'), nginxVersionServer(v2, 'v2'), nginxVersionServer(v3, 'v3'),
    nginxSplitServer(fe.rr8020, 'rr8020', w(80, 20), 'round-robin'),
    nginxSplitServer(fe.rr7030, 'rr7030', w(70, 30), 'round-robin'),
    nginxSplitServer(fe.rr502525, 'rr502525', [{ port: v1, weight: 50 }, { port: v2, weight: 25 }, { port: v3, weight: 25 }], 'round-robin'),
    nginxSplitServer(fe.rnd8020, 'rnd8020', w(80, 20), 'random'),
    nginxSplitServer(fe.rnd7030, 'rnd7030', w(70, 30), 'random'),
    nginxSplitServer(fe.converge, 'converge', w(80, 20), 'round-robin'),
    nginxSplitServer(fe.unexpected, 'unexpected', w(80, 20), 'round-robin'),
    // ~10% of requests answered 503 by nginx itself, the rest split 80:20.
    `    split_clients "\${request_id}" $flaky_bucket { 10% fail; * pass; }
    upstream flaky_pool { server 127.0.0.1:${v1} weight=80; server 127.0.0.1:${v2} weight=20; }
    server {
        listen 127.0.0.1:${fe.flaky};
        location / {
            if ($flaky_bucket = fail) { return 503 "injected\\n"; }
            proxy_pass http://flaky_pool;
        }
    }\n`,
  ];
  nginx = await startNginx(blocks.join('\n'), [v1, v2, v3, ...Object.values(fe)]);
  for (const name of FRONTENDS) url[name] = `http://127.0.0.1:${fe[name]}/`;
});

test.after.always(async () => { await nginx?.stop(); });

const counts = (r: SplitReport) => Object.fromEntries(r.labels.map((l) => [l.label, l.count]));
const share = (r: SplitReport, label: string) => r.labels.find((l) => l.label === label)?.sharePct ?? NaN;

test('80:20 round robin passes with N = 425 chosen by requiredSampleSize', async (t) => {
  const r = await runSplitCheck({ url: url.rr8020!, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version' });
  t.is(r.status, 'pass', r.reason);
  t.is(r.sample.n, 425);
  t.is(r.sample.source, 'computed');
  t.regex(r.sample.how, /z=2\.576 .*p=0\.2 .*E=5pp → 425$/);
  t.is(r.sample.completed, 425);
  const c = counts(r);
  t.true(Math.abs(c.v1 - 340) <= 1, `v1 ${c.v1}`); // smooth WRR: 4 of every 5
  t.is(c.v1 + c.v2, 425);
  t.deepEqual(r.unexpectedLabels, []);
  t.is(r.errors.count, 0);
  t.true((r.chiSquare?.pValue ?? 0) > 0.9);
  t.true(r.converge.converged && r.converge.requests >= 2 && r.converge.requests <= 9, JSON.stringify(r.converge));
  t.true(r.latency !== null && r.latency.p50Ms <= r.latency.p95Ms && r.latency.p95Ms <= r.latency.p99Ms);
});

test('real 70:30 fails an 80:20 expectation', async (t) => {
  const r = await runSplitCheck({ url: url.rr7030!, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version' });
  t.is(r.status, 'fail');
  t.is(r.sample.n, 425);
  t.true(Math.abs(share(r, 'v1') - 70) <= 0.5, `v1 ${share(r, 'v1')}%`);
  t.regex(r.reason, /^v1 at (69|70)\.\d% is (9\.\d|10\.\d)pp from expected 80% \(tolerance ±5pp\); v2 at (29|30)\.\d% is (9|10)\.\dpp from expected 20%/);
  t.false(r.labels[0].withinTolerance);
  t.true((r.chiSquare?.pValue ?? 1) < 1e-6, `p=${r.chiSquare?.pValue}`);
});

test('3-way 50:25:25 classified by body regex passes with N = 664', async (t) => {
  const r = await runSplitCheck({
    url: url.rr502525!, expect: { v1: 50, v2: 25, v3: 25 }, classify: ['body:version=v1=v1', 'body:version=v2=v2', 'body:version=v3=v3'],
  });
  t.is(r.status, 'pass', r.reason);
  t.is(r.sample.n, 664);
  const c = counts(r);
  t.true(Math.abs(c.v1 - 332) <= 1 && Math.abs(c.v2 - 166) <= 1 && Math.abs(c.v3 - 166) <= 1, JSON.stringify(c));
  t.is(r.chiSquare?.df, 2);
});

test('weighted random 80:20 passes (real randomness, N = 1500 given)', async (t) => {
  const r = await runSplitCheck({ url: url.rnd8020!, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version', requests: 1500, concurrency: 8 });
  t.is(r.status, 'pass', r.reason);
  t.is(r.sample.source, 'given');
  t.is(r.sample.how, '--requests 1500 (recommended 425)');
  t.is(r.sample.classified, 1500);
  t.true(Math.abs(share(r, 'v1') - 80) <= 4.5, `v1 ${share(r, 'v1')}%`); // 4.4 sd at n=1500
  const v1 = r.labels[0];
  t.true(v1.ciPct.upper - v1.ciPct.lower > 4 && v1.ciPct.upper - v1.ciPct.lower < 7, JSON.stringify(v1.ciPct));
});

test('weighted random 70:30 fails an 80:20 expectation', async (t) => {
  const r = await runSplitCheck({ url: url.rnd7030!, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version', requests: 1500, concurrency: 8 });
  t.is(r.status, 'fail');
  t.true(Math.abs(share(r, 'v1') - 70) <= 4.5, `v1 ${share(r, 'v1')}%`);
  t.regex(r.reason, /^v1 at \d\d\.\d% is \d+\.\dpp from expected 80%/);
});

test('a version that never answers fails convergence with a clear reason, without sampling', async (t) => {
  const t0 = Date.now();
  const r = await runSplitCheck({ url: url.converge!, expect: { v1: 50, v3: 50 }, classify: 'header:x-lab-version', convergeTimeoutMs: 1000 });
  const elapsed = Date.now() - t0;
  t.is(r.status, 'fail');
  t.regex(r.reason, /^did not converge: v3 not seen within 1000 ms \(\d+ requests, 0 failed; seen: v1 ×\d+, v2 ×\d+\) — is the route applied/);
  t.false(r.converge.converged);
  t.true(r.converge.seen.v1 > 0 && r.converge.seen.v2 > 0 && r.converge.seen.v3 === undefined);
  t.true(r.converge.requests >= 30 && r.converge.requests <= 60, `converge requests ${r.converge.requests}`); // paced every 20 ms
  t.is(r.sample.completed, 0);
  t.true(elapsed < 2500, `elapsed ${elapsed} ms`);
});

test('an unexpected label fails the check and is reported with its count', async (t) => {
  const r = await runSplitCheck({ url: url.unexpected!, expect: { v1: 100 }, classify: 'header:x-lab-version', requests: 100 });
  t.is(r.status, 'fail');
  t.deepEqual(r.unexpectedLabels, ['v2']);
  const v2 = r.labels.find((l) => l.label === 'v2');
  t.true(v2 !== undefined && Math.abs(v2.count - 20) <= 1 && v2.expectedPct === null, JSON.stringify(v2));
  t.regex(r.reason, /unexpected label: v2 ×(19|20|21)/);
});

test('5xx answers count as errors against maxErrors', async (t) => {
  const r = await runSplitCheck({ url: url.flaky!, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version', maxErrors: 0, convergeTimeoutMs: 5000 });
  t.is(r.status, 'fail');
  const injected = r.errors.byReason['http 503'] ?? 0;
  t.true(injected >= 15 && injected <= 80, `503s ${injected}`); // ~10% of 425
  t.is(r.errors.count, injected);
  t.is(r.sample.classified, 425 - injected);
  t.true(r.reason.startsWith(`${injected} failed requests (max 0): http 503 ×${injected}`), r.reason);
  const tolerant = await runSplitCheck({ url: url.flaky!, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version', maxErrors: 150 });
  t.is(tolerant.status, 'pass', tolerant.reason);
});
