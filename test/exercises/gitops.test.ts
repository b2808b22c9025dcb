// The gitops exercise against a stand-in Argo CD (fake-argocd.ts) that reads a real git repository:
// an honest one passes every assertion and leaves the lab as found (replicas, repository content,
// every Application syncing on its own again); each way it can misbehave fails the assertion that
// must notice it. Deadlines are judged on a virtual clock.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeGitops, NO_CONTROLLER_ON_SIM } from '../../lab/exercises/gitops.ts';
import { FRONT_END_FILE } from '../../lab/exercises/gitops-act.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { autoSyncOn } from '../../lab/gitops/auto-sync.ts';
import { REPO } from '../helpers.ts';
import { ArgoMesh, ORDER, type ArgoFault } from './fake-argocd.ts';
import { VirtualClock } from './virtual-clock.ts';

const FAST = { convergeMs: 30_000, selfHealMs: 15_000, pollMs: 1_000 };

async function run(fault?: ArgoFault, dataPlane = true): Promise<{ r: ExerciseReport; mesh: ArgoMesh; log: string[]; replicas: number; file: string }> {
  const mesh = await new ArgoMesh(new VirtualClock(), fault).start();
  try {
    const r = await runExercise({
      exercise: makeGitops({ ...FAST, clock: mesh.runClock() }, () => 'run1'),
      ops: Object.assign(mesh, { gitops: mesh.gitops }),
      provider: dataPlane ? 'kind' : 'sim', dataPlane, keep: false,
      checkReady: async (needs) => needs.map((step) => ({ step, done: true })),
    });
    await mesh.settled();
    const git = (...a: string[]) => execFileSync('git', ['--git-dir', mesh.gitDir, ...a], { encoding: 'utf8' });
    const log = git('log', '--format=%s').trim().split('\n');
    const file = git('show', `main:${FRONT_END_FILE}`);
    const replicas = ((await mesh.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sock-shop', name: 'front-end' })) as { spec: { replicas: number } }).spec.replicas;
    return { r, mesh, log, replicas, file };
  } finally {
    await mesh.stop();
  }
}

const assertion = (r: ExerciseReport, name: string) => r.steps.flatMap((s) => s.assertions).find((a) => a.name === name)!;
const original = readFileSync(path.join(REPO, 'manifests', FRONT_END_FILE), 'utf8');

test('an honest Argo CD: commit rolled out, hand change healed, revert rolled back, with times; the lab left as found', async (t) => {
  const { r, mesh, log, replicas, file } = await run();
  t.is(r.status, 'pass', JSON.stringify(r.steps.map((s) => [s.name, s.status, s.error?.message])));
  for (const name of ['a commit is rolled out', 'a hand change is made', 'self-heal reverts a hand change', 'reverting the commit brings the start back']) {
    t.is(assertion(r, name).status, 'pass', name);
  }
  t.regex(assertion(r, 'a commit is rolled out').actual!, /^after \d+\.\d s \(deadline 30\.0 s\): replicas 2, sock-shop Synced\/Healthy at [0-9a-f]{8}$/);
  t.true((assertion(r, 'self-heal reverts a hand change').numbers.seconds as number) >= 2, 'self-heal takes its backoff');
  t.regex(log[0], /^gitops exercise run1: revert [0-9a-f]{8}$/);
  t.deepEqual(log.slice(1), ['gitops exercise run1: front-end replicas 1 → 2', 'lab: initial']);
  t.is(file, original, 'the repository holds what it held before');
  t.is(replicas, 1);
  t.true(ORDER.every((n) => autoSyncOn(mesh.app(n))), 'nothing left paused');
  t.deepEqual(mesh.patches.filter((p) => !p.includes('refresh')), [], 'the gitops exercise does not pause auto-sync');
});

test('sim with a controller running (the stand-in): the API parts run and pass', async (t) => {
  const { r } = await run(undefined, false);
  t.is(r.status, 'pass', JSON.stringify(r.steps.map((s) => [s.name, s.status, s.error?.message, s.assertions.map((a) => [a.name, a.status, a.actual])])));
  t.is(r.steps.flatMap((s) => s.assertions).filter((a) => a.status === 'pass' && !a.name.startsWith('component')).length, 4);
});

const faults: Array<[ArgoFault, string, RegExp]> = [
  ['never-syncs', 'a commit is rolled out', /^not after 30\.\d s .*replicas 1, sock-shop OutOfSync/],
  ['false-synced', 'a commit is rolled out', /^not after .*replicas 1, sock-shop Synced\/Healthy/],
  ['ignores-refresh', 'a commit is rolled out', /^not after 30\.\d s/],
  ['degraded', 'a commit is rolled out', /Synced\/Degraded/],
  ['no-self-heal', 'self-heal reverts a hand change', /^not after 15\.\d s .*replicas 3/],
  ['scale-lost', 'a hand change is made', /did not reach the Deployment/],
];
for (const [fault, name, actual] of faults) {
  test(`a misbehaving Argo CD (${fault}) fails "${name}", and cleanup still leaves the repository and front-end as found`, async (t) => {
    const { r, log, replicas, file } = await run(fault);
    t.is(r.status, 'fail');
    const a = assertion(r, name);
    t.is(a.status, 'fail');
    t.regex(a.actual!, actual);
    t.is(file, original);
    t.is(replicas, 1);
    t.is(log.at(-1), 'lab: initial');
    t.is(r.steps.find((s) => s.name === 'cleanup')!.status, 'pass');
    t.is(r.steps.find((s) => s.name === 'diagnose')!.status, 'pass');
  });
}

test('no controller on a real cluster: act fails saying what to check; nothing committed', async (t) => {
  const { r, log } = await run('no-controller');
  const act = r.steps.find((s) => s.name === 'act')!;
  t.is(act.status, 'error');
  t.regex(act.error!.message, /Argo CD has not reconciled Application sock-shop .*argocd-application-controller running/);
  t.deepEqual(log, ['lab: initial']);
});

test('no controller on sim: every assertion skipped with the reason', async (t) => {
  const { r, log } = await run('no-controller', false);
  t.is(r.status, 'pass');
  const all = r.steps.flatMap((s) => s.assertions).filter((a) => !a.name.startsWith('component'));
  t.true(all.length >= 5 && all.every((a) => a.status === 'skipped' && a.reason === NO_CONTROLLER_ON_SIM));
  t.deepEqual(log, ['lab: initial']);
});

test('refresh patches refused: act fails, the commit made is reverted by cleanup', async (t) => {
  const { r, log, file } = await run('patch-fails');
  t.regex(r.steps.find((s) => s.name === 'act')!.error!.message, /refuses patches of sock-shop/);
  t.regex(log[0], /^gitops exercise run1: revert [0-9a-f]{8} \(cleanup\)$/);
  t.is(file, original);
});
