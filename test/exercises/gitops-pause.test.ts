// With LAB_GITOPS=argocd the runner pauses Argo CD's automated sync for every exercise but gitops:
// root first, then the parents, then the children (a parent still syncing would put its children's
// specs back from git), and resumes children first after cleanup; --keep leaves them paused, marked
// for `lab up`. Against the stand-in Argo CD, which honours the pause (and one that does not).
import test from 'ava';
import { runExercise } from '../../lab/exercises/runner.ts';
import { autoSyncOn, leftPaused, PAUSED_BY } from '../../lab/gitops/auto-sync.ts';
import { makeGitops } from '../../lab/exercises/gitops.ts';
import { ArgoMesh, ORDER } from './fake-argocd.ts';
import { fakeExercise } from './fake-exercise.ts';
import { VirtualClock } from './virtual-clock.ts';

async function withMesh<T>(fn: (mesh: ArgoMesh) => Promise<T>, fault?: 'patch-fails' | 'ignores-pause'): Promise<T> {
  const mesh = await new ArgoMesh(new VirtualClock(), fault).start();
  try {
    return await fn(mesh);
  } finally {
    await mesh.stop();
  }
}

const opts = (mesh: ArgoMesh, keep = false) => ({
  ops: Object.assign(mesh, { gitops: mesh.gitops }), provider: 'kind', dataPlane: true, keep,
  checkReady: async (needs: string[]) => needs.map((step) => ({ step, done: true })),
});

test('another exercise: paused root → parents → children before setup, resumed children first after cleanup', async (t) => {
  await withMesh(async (mesh) => {
    const calls: string[] = [];
    let pausedDuringSetup: string[] = [];
    const ex = fakeExercise({}, calls);
    const setup = ex.setup;
    ex.setup = async (x) => {
      pausedDuringSetup = ORDER.filter((n) => !autoSyncOn(mesh.app(n)));
      return setup(x);
    };
    const r = await runExercise({ exercise: ex, ...opts(mesh) });
    t.is(r.status, 'pass');
    t.deepEqual(pausedDuringSetup, ORDER, 'every Application paused while the exercise runs');
    const names = mesh.patches.map((p) => p.split(':')[0]);
    t.deepEqual(names, [...ORDER, ...[...ORDER].reverse()]);
    t.true(mesh.patches.slice(0, ORDER.length).every((p) => p.includes('"enabled":false') && p.includes('exercise fake')));
    t.true(ORDER.every((n) => autoSyncOn(mesh.app(n)) && mesh.app(n).metadata?.annotations?.[PAUSED_BY] === undefined));
    t.deepEqual(await leftPaused(mesh.gitops.applications, ORDER), []);
    const setupStep = r.steps.find((s) => s.name === 'setup')!;
    t.regex(setupStep.actions[0].title, /^pause Argo CD's automated sync \(root, app, infra, sock-shop, eng-app, istio-telemetry\)$/);
    t.regex(r.steps.find((s) => s.name === 'cleanup')!.actions.at(-1)!.title, /^resume Argo CD's automated sync \(istio-telemetry, .* root\)$/);
  });
});

test('--keep: the Applications stay paused, marked, and the report says `lab up` resumes them', async (t) => {
  await withMesh(async (mesh) => {
    const r = await runExercise({ exercise: fakeExercise({}, []), ...opts(mesh, true) });
    t.deepEqual(await leftPaused(mesh.gitops.applications, ORDER), ORDER);
    t.regex(r.steps.find((s) => s.name === 'cleanup')!.reason!, /resumes Argo CD's automated sync of root, app, infra, sock-shop, eng-app, istio-telemetry/);
  });
});

test('an Application already not syncing on its own is left alone (and not resumed)', async (t) => {
  await withMesh(async (mesh) => {
    mesh.app('eng-app').spec.syncPolicy = {};
    await runExercise({ exercise: fakeExercise({}, []), ...opts(mesh) });
    t.false(mesh.patches.some((p) => p.startsWith('eng-app')));
    t.false(autoSyncOn(mesh.app('eng-app')));
  });
});

test('patches refused: setup errors, nothing is claimed paused, cleanup still runs', async (t) => {
  await withMesh(async (mesh) => {
    const calls: string[] = [];
    const r = await runExercise({ exercise: fakeExercise({}, calls), ...opts(mesh) });
    t.is(r.steps.find((s) => s.name === 'setup')!.status, 'error');
    t.regex(r.steps.find((s) => s.name === 'setup')!.error!.message, /refuses patches of root/);
    t.false(calls.includes('setup'), 'the exercise did not start unpaused');
    t.is(r.steps.find((s) => s.name === 'cleanup')!.status, 'pass');
  }, 'patch-fails');
});

test('the gitops exercise is not paused (it works through Argo CD)', async (t) => {
  await withMesh(async (mesh) => {
    const r = await runExercise({ exercise: makeGitops({ convergeMs: 30_000, selfHealMs: 15_000, pollMs: 1_000, clock: mesh.runClock() }), ...opts(mesh) });
    t.is(r.status, 'pass');
    t.false(mesh.patches.some((p) => p.includes('enabled')));
  });
});

/** An exercise that scales front-end by hand in act and, after Argo CD's self-heal delay has passed
 * many times over, reads the replicas back: what the pause must protect. */
async function handChangeAfterWait(mesh: ArgoMesh): Promise<number | undefined> {
  const ex = fakeExercise({}, []);
  let seen: number | undefined;
  ex.act = async (x) => {
    await x.ops.command('kubectl', ['scale', '-n', 'sock-shop', 'deployment/front-end', '--replicas=5']);
    for (let i = 0; i < 30; i++) await mesh.runClock().sleep(1_000); // 30 s in steps, as a poll would
    seen = ((await x.ops.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sock-shop', name: 'front-end' })) as { spec: { replicas: number } }).spec.replicas;
    return { value: 42 };
  };
  await runExercise({ exercise: ex, ...opts(mesh) });
  return seen;
}

test("while paused, a hand change to sock-shop survives self-heal's delay; an Argo CD that syncs anyway (ignores the pause) puts it back, and the check sees that", async (t) => {
  t.is(await withMesh(handChangeAfterWait), 5, 'kept while automated sync is paused');
  t.not(await withMesh(handChangeAfterWait, 'ignores-pause'), 5, 'reverted by a controller that ignores the pause');
});
