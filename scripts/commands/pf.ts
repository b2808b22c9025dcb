// `lab pf [targets..]`: forward the lab's UIs and apps to 127.0.0.1 until Ctrl-C (exit 0).
import type { CommandModule } from 'yargs';
import { PF_TARGET_NAMES } from '../../lab/pf-ports.ts';
import { contextFrom } from '../options.ts';

/**
 * Ctrl-C and SIGTERM stop the forwards and let the command return normally (exit 0). The CLI's own
 * "run it again" SIGINT handler is set aside meanwhile and put back afterwards; listeners not in
 * process.listeners (tsx's relay) are left alone.
 */
function stopOn(abort: AbortController): () => void {
  const visible = new Set<unknown>(process.listeners('SIGINT'));
  const theirs = (process.rawListeners('SIGINT') as Array<(...a: unknown[]) => void>)
    .filter((raw) => visible.has(raw) || visible.has((raw as { listener?: unknown }).listener));
  for (const raw of theirs) process.removeListener('SIGINT', raw);
  const handler = () => abort.abort();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
    for (const raw of theirs) process.on('SIGINT', raw);
  };
}

export const pfCommand: CommandModule = {
  command: 'pf [targets..]',
  describe: `Port-forward lab UIs and apps to 127.0.0.1 (${PF_TARGET_NAMES.join(', ')}) until Ctrl-C; drops are reconnected`,
  builder: (y) =>
    y
      .positional('targets', { type: 'string', array: true })
      .example('$0 pf', 'every UI and app the profile installed, with URL and login')
      .example('$0 pf grafana kiali', 'only those two')
      .example('LAB_PF_PORTS=grafana=3001 $0 pf grafana', 'Grafana on http://127.0.0.1:3001/'),
  handler: async (argv) => {
    const ctx = await contextFrom(argv);
    const { chooseTargets, forward } = await import('../../lab/port-forward.ts');
    const targets = await chooseTargets(ctx, (argv.targets as string[] | undefined) ?? []);
    const abort = new AbortController();
    const restore = stopOn(abort);
    try {
      await forward(ctx, targets, { signal: abort.signal, showSecrets: Boolean(process.stdout.isTTY) });
    } finally {
      restore();
    }
  },
};
