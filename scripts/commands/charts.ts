import type { CommandModule } from 'yargs';
import { contextFrom } from '../options.ts';

export const chartsCommand: CommandModule = {
  command: 'charts <action>',
  describe: 'The pinned Helm charts: list them, or pull their archives into .lab/cache/charts (checked by sha256)',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'pull'] as const, describe: 'list: pins and cache state; pull: download what this profile installs' })
      .option('all', { type: 'boolean', default: false, describe: 'pull: every pinned chart, whatever LAB_PROFILE says' })
      .example('$0 charts pull', 'cache the archives once (then sim installs the releases for real, and up needs no chart repository)'),
  handler: async (argv) => {
    const { chartsList, chartsPull } = await import('../../lab/charts/commands.ts');
    const ctx = await contextFrom(argv, {}, { creates: false });
    const lines = argv.action === 'pull' ? await chartsPull(ctx, Boolean(argv.all)) : chartsList(ctx);
    for (const l of lines) process.stdout.write(`${l}\n`);
  },
};
