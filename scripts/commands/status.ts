import type { CommandModule } from 'yargs';
import { contextFrom } from '../options.ts';

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'Cluster, nodes with their groups, PV/PVC binding, components',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: async (argv) => {
    const ctx = await contextFrom(argv);
    const { collectStatus, formatStatus } = await import('../../lab/status.ts');
    const st = await collectStatus(ctx);
    process.stdout.write(argv.json ? `${JSON.stringify(st, null, 2)}\n` : formatStatus(st));
  },
};
