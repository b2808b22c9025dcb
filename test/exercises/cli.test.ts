// `lab exercise` as a user runs it: --list, exit 2 with the valid names for a wrong or missing name,
// exit 1 when the lab is not up — with the reports still written, so CI sees why.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LAB_MJS, LAB_NODE, REPO, tempDir } from '../helpers.ts';

function lab(args: string[], env: Record<string, string> = {}, cwd = tempDir('lab-ex-cli-')) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_')));
  const res = spawnSync(LAB_NODE, [LAB_MJS, 'exercise', ...args], { cwd, env: { ...clean, CI: 'true', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, out: res.stdout, err: res.stderr, cwd };
}

/** Every exercise, in the order --list shows them. */
const NAMES = ['traffic-split', 'circuit-breaker', 'blue-green', 'observability', 'canary', 'fault-injection', 'retries-timeouts', 'mtls', 'scheduling', 'persistence', 'gitops'];

test('--list: every exercise with its summary and what it needs, exit 0', (t) => {
  const r = lab(['--list']);
  t.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  t.is(lines.length, 2 * NAMES.length);
  t.deepEqual(lines.filter((_, i) => i % 2 === 0).map((l) => l.split(/\s+/)[0]), NAMES);
  t.deepEqual(lines.filter((_, i) => i % 2 === 1).map((l) => l.trim()).slice(0, 5), [
    ...Array(3).fill('needs: istio, samples'), 'needs: istio, samples, kube-prometheus-stack, jaeger', 'needs: istio, samples, kube-prometheus-stack, flagger, flagger-loadtester',
  ]);
  t.regex(lines[8], /^canary +sock-shop front-end under Flagger: a healthy change promoted in steps of 10 to 50 within 180 s/);
  t.regex(lines[6], /^observability +44 marked requests through the gateway: access-log lines in Loki, traces in Jaeger/);
  t.regex(lines[0], /80:20 between v1 and v2/);
  t.regex(lines.at(-1)!, /^\s+needs: argocd, gitops, samples$/);
});

test('an unknown exercise: exit 2 with the valid names', (t) => {
  const r = lab(['traffic-spilt']);
  t.is(r.code, 2);
  t.true(r.err.startsWith(`ERROR: unknown exercise "traffic-spilt"; valid names: ${NAMES.join(', ')}\n`), r.err);
  t.regex(r.err, /npm run exercise -- --list/);
});

test('no exercise named, or an empty --json: exit 2', (t) => {
  const none = lab([]);
  t.is(none.code, 2);
  t.true(none.err.includes(`name an exercise (${NAMES.join(', ')}) or pass --list`), none.err);
  const empty = lab(['blue-green', '--json', '']);
  t.is(empty.code, 2);
  t.regex(empty.err, /--json needs a file name/);
});

test('the lab is not up: exit 1, says what to run, and still writes the JSON and JUnit reports', (t) => {
  const r = lab(['circuit-breaker', '--json', 'out/r.json', '--junit', 'out/r.xml'], { LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: 'nothing-here' });
  t.is(r.code, 1, r.err);
  t.regex(r.err, /ERROR: exercise circuit-breaker failed: 2 assertions failed, 1 step error/);
  t.regex(r.out, /! ready +error: circuit-breaker needs istio, samples, which are not ready; run: npm run lab -- up/);
  t.regex(r.out, /kubeconfig .* does not exist \(is the cluster up\? run: make lab-up\)/);
  const json = JSON.parse(readFileSync(path.join(r.cwd, 'out', 'r.json'), 'utf8'));
  t.deepEqual(json.steps.map((s: { name: string; status: string }) => [s.name, s.status]), [['ready', 'error'], ['diagnose', 'skipped'], ['cleanup', 'skipped']]);
  t.true(existsSync(path.join(r.cwd, 'out', 'r.xml')));
  t.regex(readFileSync(path.join(r.cwd, 'out', 'r.xml'), 'utf8'), /<error message="circuit-breaker needs istio, samples/);
  t.false(existsSync(path.join(r.cwd, '.lab', 'sim')), 'no cluster was created');
});
