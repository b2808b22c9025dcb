// Contract: a port that refuses connections gives a clear error in about a
// second from every check — never a hang, never a report full of errors.
import test from 'ava';
import { TargetUnreachableError } from '../../lab/checks/http-load.ts';
import { runSplitCheck } from '../../lab/checks/split.ts';
import { runBreakerCheck } from '../../lab/checks/breaker.ts';
import { runSuccessRateCheck } from '../../lab/checks/success-rate.ts';
import { freePorts } from './peers.ts';

const checks = {
  split: (url: string) => runSplitCheck({ url, expect: { v1: 80, v2: 20 }, classify: 'header:x-lab-version' }),
  breaker: (url: string) => runBreakerCheck({ url, concurrency: 10, requests: 100, minOverflow: 0.2 }),
  'success-rate': (url: string) => runSuccessRateCheck({ url, durationMs: 30_000, intervalMs: 100, min: 0.99 }),
};

for (const [name, run] of Object.entries(checks)) {
  test(`${name}: refused port → "cannot reach … (ECONNREFUSED)" within 2 s`, async (t) => {
    const [port] = await freePorts(1);
    const url = `http://127.0.0.1:${port}/`;
    const t0 = Date.now();
    const err = await t.throwsAsync(run(url), { instanceOf: TargetUnreachableError });
    const elapsed = Date.now() - t0;
    t.is(String(err), `TargetUnreachableError: cannot reach ${url} (ECONNREFUSED) — is the port-forward/ingress up?`);
    t.is(err?.code, 'ECONNREFUSED');
    t.true(elapsed < 2000, `took ${elapsed} ms`);
  });
}

test('port 9 (discard, normally closed) gives the same clear error', async (t) => {
  const err = await t.throwsAsync(runSplitCheck({ url: 'http://127.0.0.1:9/', expect: { v1: 100 }, classify: 'header:x-lab-version' }));
  t.is(err?.message, 'cannot reach http://127.0.0.1:9/ (ECONNREFUSED) — is the port-forward/ingress up?');
});
