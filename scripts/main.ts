// The yargs program: parse, validate, hand over to lab/. Errors are rendered once, here:
// `ERROR: …` plus the failing command's output; stacks only with --verbose. Exit 0/1/2.
import yargs, { type Argv } from 'yargs';
import { LabError, UsageError, exitCodeFor } from '../lab/errors.ts';
import { configOptions } from './options.ts';
import { logsCommand, seedCommand, shellCommand } from './commands/apps.ts';
import { chartsCommand } from './commands/charts.ts';
import { gitopsCommand } from './commands/gitops.ts';
import { checkCommand } from './commands/check.ts';
import { exerciseCommand } from './commands/exercise.ts';
import { pfCommand } from './commands/pf.ts';
import { doctorCommand } from './commands/doctor.ts';
import { downCommand } from './commands/down.ts';
import { planCommand } from './commands/plan.ts';
import { renderCommand } from './commands/render.ts';
import { statusCommand } from './commands/status.ts';
import { upCommand } from './commands/up.ts';

export function buildCli(args: string[]): Argv {
  return configOptions(
    yargs(args)
      .scriptName('lab')
      .usage('$0 <command> [options]\n\nA production-like service-mesh lab on one laptop.')
      .command(upCommand)
      .command(planCommand)
      .command(downCommand)
      .command(statusCommand)
      .command(doctorCommand)
      .command(renderCommand)
      .command(seedCommand)
      .command(logsCommand)
      .command(shellCommand)
      .command(checkCommand)
      .command(exerciseCommand)
      .command(pfCommand)
      .command(chartsCommand)
      .command(gitopsCommand)
      .option('verbose', { type: 'boolean', default: false, describe: 'Show commands run, debug lines and error stacks' })
      .example('$0 up', 'create the kind cluster and install everything (make lab-up)')
      .example('$0 plan --provider minikube', 'show every step and command for minikube, run nothing')
      .example('LAB_PROVIDER=sim $0 up', 'rehearse on a local control plane without Docker (make lab-sim)')
      .example('$0 down --purge --yes', 'delete the cluster and the lab data')
      .example('$0 check split --url http://127.0.0.1:8080/ --expect v1=80,v2=20', 'assert a traffic split, with numbers')
      .demandCommand(1, 'Name a command: up, plan, down, status, doctor, render, seed, logs, shell, check, pf or charts (see --help)')
      .strict()
      .recommendCommands()
      .completion('completion', 'Print a shell completion script (bash/zsh): lab completion >> ~/.bashrc')
      .wrap(Math.min(110, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      }),
  );
}

/** Ctrl-C: say how to resume, then let the default handler end the process (and its tools, which
 * share the terminal's process group). `up` is a reconcile, so re-running it converges. */
export function onInterrupt(): void {
  process.stderr.write('\nInterrupted. Nothing is lost: run the same command again to continue from where it stopped.\n');
  process.kill(process.pid, 'SIGINT');
}

export async function main(args: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const verbose = args.includes('--verbose');
  try {
    await buildCli(args).parseAsync();
    return 0;
  } catch (err) {
    stderr.write(renderError(err, verbose));
    return exitCodeFor(err);
  }
}

export function renderError(err: unknown, verbose: boolean): string {
  const lines: string[] = [];
  if (err instanceof UsageError) {
    lines.push(`ERROR: ${err.message}`);
    if (err.hint) lines.push(err.hint);
    else lines.push('Run with --help for usage.');
  } else if (err instanceof Error) {
    lines.push(`ERROR: ${err.message}`);
    if (err instanceof LabError && err.detail) lines.push(err.detail.replace(/^/gm, '  '));
  } else {
    lines.push(`ERROR: ${String(err)}`);
  }
  if (verbose && err instanceof Error) {
    let e: unknown = err;
    while (e instanceof Error) {
      lines.push(e.stack ?? e.message);
      e = e.cause;
    }
  } else if (!(err instanceof UsageError)) {
    lines.push('(run again with --verbose for details)');
  }
  return `${lines.join('\n')}\n`;
}
