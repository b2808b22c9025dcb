// Runs one exercise: ready → setup → act → assert → diagnose (only after a failure) → cleanup
// (always, unless --keep; also after Ctrl-C). Every phase is timed and recorded in the report;
// an exception in a phase is an `error` step, never a crash, so cleanup still runs.
import { LabError } from '../errors.ts';
import { pauseAutoSync, resumeAutoSync } from '../gitops/auto-sync.ts';
import type { Status } from '../log.ts';
import { createExerciseRun } from './run-context.ts';
import { Snapshot } from './snapshot.ts';
import {
  REPORT_SCHEMA,
  type AnyExercise,
  type ExerciseReport,
  type ExerciseRun,
  type MeshOps,
  type StepName,
  type StepRecord,
} from './types.ts';

export const SIM_SKIP_REASON = 'skipped (sim): needs a data plane';

export interface ReadyResult {
  step: string;
  done: boolean;
  detail?: string;
  /** Not installed on this provider, visibly (e.g. "skipped (sim): chart archive not cached"),
   * and no obstacle there: the need's assertion is skipped with this reason. */
  skipped?: string;
}

export interface RunnerOptions {
  exercise: AnyExercise;
  ops: MeshOps;
  provider: string;
  dataPlane: boolean;
  keep: boolean;
  /** The pipeline steps' `check` for each need. */
  checkReady(needs: string[]): Promise<ReadyResult[]>;
  /** Whether a pipeline step is enabled for this configuration (ExerciseRun.installed). Default: all. */
  installed?: (step: string) => boolean;
  /** What to run when a need is not ready. */
  fixHint?: string;
  progress?: Status;
  /** Aborted on Ctrl-C: the current phase is abandoned and cleanup runs. */
  interrupt?: AbortSignal;
  now?: () => number;
}

class Interrupted extends Error {}

function raceInterrupt<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Interrupted('interrupted (Ctrl-C) before this phase'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted('interrupted (Ctrl-C): this phase was abandoned'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const TITLES: Record<StepName, string> = {
  ready: 'check the needed components',
  setup: 'setup',
  act: 'act',
  assert: 'assert',
  diagnose: 'diagnose',
  cleanup: 'cleanup',
};

export async function runExercise(o: RunnerOptions): Promise<ExerciseReport> {
  try {
    return await runPhases(o);
  } finally {
    await o.ops.close(); // the port-forwards the run opened (MeshOps.serviceUrl)
  }
}

async function runPhases(o: RunnerOptions): Promise<ExerciseReport> {
  const now = o.now ?? Date.now;
  const ex = o.exercise;
  const skipReason = o.dataPlane ? 'skipped' : SIM_SKIP_REASON;
  const t0 = now();
  const steps: StepRecord[] = [];
  const snapshot = new Snapshot();
  const runFor = (step: StepRecord): ExerciseRun => createExerciseRun({
    ops: o.ops, dataPlane: o.dataPlane, skipReason, installed: o.installed, now, snapshot, step,
    stopped: () => Boolean(o.interrupt?.aborted) && step.name !== 'cleanup',
  });
  const label = (name: StepName) => `${ex.name}: ${TITLES[name]}`;

  const open = (name: StepName): StepRecord => {
    const s: StepRecord = { name, status: 'pass', startedAt: new Date(now()).toISOString(), durationMs: 0, actions: [], assertions: [], diagnostics: [] };
    steps.push(s);
    o.progress?.start(label(name));
    return s;
  };
  const skip = (name: StepName, reason: string) => {
    steps.push({ name, status: 'skipped', startedAt: null, durationMs: 0, reason, actions: [], assertions: [], diagnostics: [] });
    o.progress?.skip(`${label(name)}: ${reason}`);
  };
  const close = (s: StepRecord, started: number, err?: unknown) => {
    s.durationMs = now() - started;
    if (err !== undefined) {
      s.status = 'error';
      s.error = { message: (err as Error)?.message ?? String(err), detail: err instanceof LabError ? err.detail : undefined };
    } else if (s.assertions.some((a) => a.status === 'fail')) {
      s.status = 'fail';
    } else if (s.assertions.some((a) => a.status === 'skipped') || s.actions.some((a) => a.status === 'skipped')) {
      // Anything skipped makes the step skipped (visibly), even if the API parts of it ran; the
      // step gives the first skipped item's reason (e.g. a component this profile does not install).
      s.status = 'skipped';
      s.reason = [...s.actions, ...s.assertions].find((a) => a.status === 'skipped')?.reason ?? skipReason;
    }
    if (s.status === 'pass') o.progress?.ok(label(s.name));
    else if (s.status === 'skipped') o.progress?.skip(`${label(s.name)}: ${s.reason}`);
    else o.progress?.fail(`${label(s.name)}: ${s.status === 'error' ? s.error?.message : 'assertions failed'}`);
  };
  async function phase<T>(name: StepName, fn: (x: ExerciseRun, step: StepRecord) => Promise<T>, interruptible = true): Promise<{ ok: boolean; value?: T }> {
    const s = open(name);
    const started = now();
    try {
      const run = fn(runFor(s), s);
      const value = await (interruptible ? raceInterrupt(run, o.interrupt) : run);
      close(s, started);
      return { ok: s.status !== 'error', value };
    } catch (err) {
      close(s, started, err);
      return { ok: false };
    }
  }

  const ready = await phase('ready', async (x) => {
    const results = await o.checkReady(ex.needs);
    const missing = results.filter((r) => !r.done);
    for (const r of results) {
      if (r.skipped) x.record({ name: `component ${r.step} is ready`, status: 'skipped', expected: `lab step ${r.step}: check done`, actual: null, numbers: {}, reason: r.skipped });
      else x.record({ name: `component ${r.step} is ready`, status: r.done ? 'pass' : 'fail', expected: `lab step ${r.step}: check done`, actual: r.done ? 'ready' : `not ready: ${(r.detail ?? '').split('\n').slice(0, 3).join('; ')}`, numbers: {} });
    }
    if (missing.length > 0) {
      const detail = missing.map((r) => `${r.step}: ${r.detail ?? 'not ready'}`).join('\n');
      throw new LabError(`${ex.name} needs ${missing.map((r) => r.step).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not ready; run: ${o.fixHint ?? 'npm run lab -- up'}`, { detail });
    }
  });

  // LAB_GITOPS=argocd: Argo CD's self-heal would undo what the exercise changes; paused for the run.
  const gitops = ex.drivesGitops ? undefined : o.ops.gitops;
  const paused: string[] = [];
  const setupWithPause = async (x: ExerciseRun) => {
    if (gitops) await x.change(`pause Argo CD's automated sync (${gitops.order.join(', ')})`, () => pauseAutoSync(gitops.applications, gitops.order, `exercise ${ex.name}`, paused));
    return ex.setup(x);
  };
  const cleanupWithResume = async (x: ExerciseRun, s: unknown) => {
    try {
      await ex.cleanup(x, s);
    } finally {
      if (gitops && paused.length) await x.change(`resume Argo CD's automated sync (${[...paused].reverse().join(', ')})`, () => resumeAutoSync(gitops.applications, paused));
    }
  };

  let state: unknown;
  let setupOk = false;
  let actOk = false;
  let observed: unknown;
  if (ready.ok) {
    const setup = await phase('setup', (x) => setupWithPause(x));
    setupOk = setup.ok;
    state = setup.value;
    if (setupOk) {
      const act = await phase('act', (x) => ex.act(x, state));
      actOk = act.ok;
      observed = act.value;
    } else {
      skip('act', 'not run: setup did not complete');
    }
    if (actOk) {
      await phase('assert', async (x) => {
        for (const a of ex.assert(observed, skipReason)) x.record(a);
      });
    } else {
      skip('assert', `not evaluated: ${setupOk ? 'act' : 'setup'} did not complete`);
    }
  }

  const failed = () => steps.some((s) => s.status === 'fail' || s.status === 'error');
  const interrupted = Boolean(o.interrupt?.aborted);
  if (ready.ok && failed() && !interrupted) {
    await phase('diagnose', async (x, s) => {
      s.diagnostics.push(...(await ex.diagnose(x, state)));
    });
  } else {
    skip('diagnose', interrupted ? 'not run: interrupted' : ready.ok ? 'not needed: nothing failed' : 'not run: the lab is not ready');
  }

  if (!ready.ok) skip('cleanup', 'not needed: nothing was changed');
  else if (o.keep) skip('cleanup', `--keep: the changes stay in the cluster (\`npm run lab -- up\` puts the samples back${paused.length ? ` and resumes Argo CD's automated sync of ${paused.join(', ')}` : ''})`);
  else await phase('cleanup', (x) => cleanupWithResume(x, setupOk ? state : undefined), false);

  return finish(ex, o, steps, t0, now());
}

function finish(ex: AnyExercise, o: RunnerOptions, steps: StepRecord[], t0: number, t1: number): ExerciseReport {
  const all = steps.flatMap((s) => s.assertions);
  return {
    schema: REPORT_SCHEMA,
    exercise: ex.name,
    summary: ex.summary,
    provider: o.provider,
    dataPlane: o.dataPlane,
    status: steps.some((s) => s.status === 'fail' || s.status === 'error') ? 'fail' : 'pass',
    startedAt: new Date(t0).toISOString(),
    durationMs: t1 - t0,
    kept: o.keep,
    counts: {
      passed: all.filter((a) => a.status === 'pass').length,
      failed: all.filter((a) => a.status === 'fail').length,
      skipped: all.filter((a) => a.status === 'skipped').length,
      errors: steps.filter((s) => s.status === 'error').length,
    },
    steps,
  };
}
