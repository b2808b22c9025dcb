// .github/workflows/e2e-kind.yml, the proof this machine cannot run (Docker, kind, real images):
// actionlint (built from Go modules) accepts it and rejects a broken copy, and the kind job runs
// the steps the lab promises, in order — a real second `lab-up` that must change nothing, every
// exercise with --junit uploaded, `lab-down` keeping the data, `lab-up` on it, the purge.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EXERCISES } from '../../lab/exercises/index.ts';
import { actionlint } from '../../lab/testenv/validate.ts';
import { REPO, tempDir } from '../helpers.ts';

const FILE = path.join(REPO, '.github', 'workflows', 'e2e-kind.yml');
type Step = { name?: string; run?: string; uses?: string; with?: Record<string, unknown>; if?: string };
type Job = { 'runs-on': string; steps: Step[]; env?: Record<string, string> };
const wf = parse(readFileSync(FILE, 'utf8')) as { jobs: Record<string, Job>; on: Record<string, unknown> };

test('actionlint accepts the workflow', async (t) => {
  const r = await actionlint([FILE]);
  t.deepEqual(r.findings, []);
  t.true(r.ok);
});

test('actionlint is not a rubber stamp: a wrong runner label and a wrong action input are reported', async (t) => {
  const broken = readFileSync(FILE, 'utf8').replace('runs-on: ubuntu-24.04-arm', 'runs-on: ubuntu-24.04-armm').replace('if-no-files-found: warn', 'if-no-file-found: warn');
  const file = path.join(tempDir('lab-wf-'), 'e2e-kind.yml');
  writeFileSync(file, broken);
  const r = await actionlint([file]);
  t.false(r.ok);
  t.true(r.findings.some((f) => f.includes('ubuntu-24.04-armm')), r.findings.join('\n'));
  t.true(r.findings.some((f) => f.includes('if-no-file-found')), r.findings.join('\n'));
});

/** Index of the first step at or after `from` whose run/uses matches. */
function find(steps: Step[], from: number, re: RegExp): number {
  return steps.findIndex((s, k) => k >= from && re.test([s.run?.trim(), s.uses].filter(Boolean).join('\n')));
}

test('one kind job runs the GitOps mode (with the gitops exercise), the other the plain mode', (t) => {
  t.deepEqual([wf.jobs['e2e-kind'].env?.LAB_GITOPS, wf.jobs['e2e-kind-arm64'].env?.LAB_GITOPS], ['argocd', undefined]);
  t.regex(wf.jobs['e2e-kind'].steps.find((s) => /for ex in/.test(s.run ?? ''))!.run!, / gitops; do/);
});

for (const [job, runner] of [['e2e-kind', 'ubuntu-24.04'], ['e2e-kind-arm64', 'ubuntu-24.04-arm']] as const) {
  test(`${job}: on ${runner}, inotify raised, lab-up twice (nothing changed), every exercise with --junit, uploaded`, (t) => {
    const j = wf.jobs[job];
    t.is(j['runs-on'], runner);
    const order = [
      /sysctl -w fs\.inotify\.max_user_watches=524288 fs\.inotify\.max_user_instances=512/,
      /^make lab-up$/,
      /make lab-up \| tee second-up\.log\ngrep -q 'Nothing to change' second-up\.log/,
      /for ex in .*; do\n\s+npm run --silent exercise -- "\$ex" --junit "reports\/\$ex\.xml"/,
      /actions\/upload-artifact@/,
    ];
    let at = 0;
    for (const re of order) {
      const i = find(j.steps, at, re);
      t.true(i >= 0, `${job}: no step matching ${re} after step ${at}`);
      at = i + 1;
    }
    const loop = j.steps.find((s) => /for ex in/.test(s.run ?? ''))!.run!;
    // The gitops exercise needs the GitOps mode: it runs in the job that sets LAB_GITOPS=argocd.
    const gitopsMode = j.env?.LAB_GITOPS === 'argocd';
    const expected = EXERCISES.map((e) => e.name).filter((n) => n !== 'gitops' || gitopsMode);
    t.deepEqual(/for ex in (.*); do/.exec(loop)![1].split(' '), expected, 'every exercise the lab has (in this mode)');
    const upload = j.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    t.is(upload.if, 'always()', 'reports are uploaded even when an exercise failed');
    t.is(upload.with?.path, 'reports/');
  });
}

test('e2e-kind: then lab-down keeps the data, lab-up again, and down --purge --yes removes cluster and data', (t) => {
  const steps = wf.jobs['e2e-kind'].steps;
  const upload = find(steps, 0, /actions\/upload-artifact@/);
  const down = find(steps, upload, /make lab-down/);
  t.true(down > upload);
  t.regex(steps[down].run!, /sudo ls -A \.lab\/data\/eng_app\)"\nmake lab-down\ntest -n "\$\(sudo ls -A \.lab\/data\/eng_app\)"/);
  const upAgain = find(steps, down + 1, /^make lab-up$/);
  t.true(upAgain > down);
  const purge = find(steps, upAgain + 1, /npm run --silent lab -- down --purge --yes/);
  t.true(purge > upAgain);
  t.regex(steps[purge].run!, /test ! -e \.lab\/data/);
});

test('arm64: QEMU for amd64 is registered before lab-up (the amd64-only images need it)', (t) => {
  const steps = wf.jobs['e2e-kind-arm64'].steps;
  const qemu = find(steps, 0, /docker\/setup-qemu-action@/);
  t.true(qemu >= 0 && qemu < find(steps, 0, /^make lab-up$/));
  t.is(steps[qemu].with?.platforms, 'amd64');
});

test('the test job runs .ci/run, which runs make test — the README\'s test command', (t) => {
  t.is(wf.jobs.test['runs-on'], 'ubuntu-24.04');
  t.true(wf.jobs.test.steps.some((s) => s.run === 'bash .ci/run'));
  t.regex(readFileSync(path.join(REPO, '.ci', 'run'), 'utf8'), /\nmake test\n$/);
  t.true('workflow_dispatch' in wf.on, 'a fork can run it by hand');
});
