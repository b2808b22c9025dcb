// `lab exercise --list` and `lab exercise <exercise> [--keep] [--no-relaunch] [--json FILE] [--junit FILE]`.
// Exit 0 pass, 1 fail (or not ready, or interrupted), 2 usage (unknown exercise, bad flags).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { LabError, UsageError } from '../../lab/errors.ts';
import { upCommandFor } from '../../lab/active-lab.ts';
import { EXERCISE_NAMES } from '../../lab/exercises/names.ts';
import { contextFrom } from '../options.ts';

function writeReport(file: string, text: string, what: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, text);
  } catch (err) {
    throw new LabError(`writing the ${what} report to ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Signals closer together than this are one Ctrl-C (the terminal, npm and tsx may each pass it on). */
const SAME_CTRL_C_MS = 1000;

/**
 * First Ctrl-C: abort the running phase and clean up. A second one (a second later or more): exit
 * now. The CLI's own "run it again" handler is set aside meanwhile and put back afterwards; tsx's
 * hidden signal relay (not in process.listeners) must stay, or tsx would kill us mid-cleanup.
 */
function trapInterrupt(abort: AbortController): () => void {
  const visible = new Set<unknown>(process.listeners('SIGINT'));
  const theirs = (process.rawListeners('SIGINT') as Array<(...a: unknown[]) => void>)
    .filter((raw) => visible.has(raw) || visible.has((raw as { listener?: unknown }).listener));
  for (const raw of theirs) process.removeListener('SIGINT', raw);
  let firstAt = 0;
  const handler = () => {
    if (!abort.signal.aborted) {
      firstAt = Date.now();
      process.stderr.write('\nInterrupted: cleaning up what the exercise changed (Ctrl-C again to stop at once).\n');
      abort.abort();
    } else if (Date.now() - firstAt >= SAME_CTRL_C_MS) {
      process.stderr.write('\nStopped before cleanup finished: run `npm run lab -- up` to put the samples back.\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    for (const raw of theirs) process.on('SIGINT', raw);
  };
}

export const exerciseCommand: CommandModule = {
  command: 'exercise [exercise]',
  describe: 'Run a mesh exercise: set it up, send traffic through the gateway, assert with numbers, clean up',
  builder: (y) =>
    y
      .positional('exercise', { type: 'string', describe: `One of: ${EXERCISE_NAMES.join(', ')}` })
      .option('list', { type: 'boolean', default: false, describe: 'List the exercises with what they need' })
      .option('keep', { type: 'boolean', default: false, describe: "Skip cleanup: leave the exercise's changes in the cluster" })
      .option('relaunch', { type: 'boolean', default: true, describe: 'persistence: delete and re-create the lab mid-run (lab down, never --purge, then lab up); --no-relaunch skips that part, visibly' })
      .option('json', { type: 'string', describe: 'Also write the report as JSON to FILE (exercise → steps → assertions)' })
      .option('junit', { type: 'string', describe: 'Also write a JUnit XML report to FILE' })
      .example('$0 exercise --list', 'what each exercise proves and what it needs')
      .example('$0 exercise traffic-split --junit out/junit.xml', '80:20 split, with a report for CI'),
  handler: async (argv) => {
    const { findExercise, listLines } = await import('../../lab/exercises/index.ts');
    if (argv.list) {
      process.stdout.write(`${listLines().join('\n')}\n`);
      return;
    }
    const names = EXERCISE_NAMES.join(', ');
    if (!argv.exercise) throw new UsageError(`name an exercise (${names}) or pass --list`);
    // The positional is not called `name`: --name is the cluster-name setting (LAB_CLUSTER_NAME).
    const exercise = findExercise(String(argv.exercise));
    for (const flag of ['json', 'junit'] as const) {
      if (argv[flag] !== undefined && String(argv[flag]).trim() === '') throw new UsageError(`--${flag} needs a file name`);
    }
    const ctx = await contextFrom(argv);
    const [{ createMeshOps }, { checkNeeds, installedStep }, { toJUnit }, { formatExerciseReport }, { runExercise }] = await Promise.all([
      import('../../lab/exercises/mesh-ops.ts'), import('../../lab/exercises/readiness.ts'), import('../../lab/exercises/report-junit.ts'),
      import('../../lab/exercises/report-text.ts'), import('../../lab/exercises/runner.ts'),
    ]);
    const abort = new AbortController();
    const untrap = trapInterrupt(abort);
    let report;
    try {
      report = await runExercise({
        exercise,
        ops: createMeshOps(ctx, { relaunch: argv.relaunch !== false }),
        provider: ctx.cfg.provider,
        dataPlane: ctx.provider.capabilities.dataPlane,
        keep: Boolean(argv.keep),
        checkReady: (needs) => checkNeeds(ctx, needs),
        installed: (step) => installedStep(ctx, step),
        fixHint: `${upCommandFor(ctx.cfg)} (it also puts back what an exercise run with --keep left changed)`,
        progress: ctx.status,
        interrupt: abort.signal,
      });
    } finally {
      untrap();
    }
    process.stdout.write(formatExerciseReport(report));
    if (argv.json) writeReport(String(argv.json), `${JSON.stringify(report, null, 2)}\n`, 'JSON');
    if (argv.junit) writeReport(String(argv.junit), toJUnit([report]), 'JUnit');
    // The abandoned phase may still have requests in flight: do not wait for them once the report is out.
    if (abort.signal.aborted) setTimeout(() => process.exit(), 500).unref();
    if (report.status !== 'pass') {
      const c = report.counts;
      const why = abort.signal.aborted ? 'interrupted' : `${c.failed} assertion${c.failed === 1 ? '' : 's'} failed, ${c.errors} step error${c.errors === 1 ? '' : 's'}`;
      throw new LabError(`exercise ${exercise.name} failed: ${why} (see the report above)`);
    }
  },
};
