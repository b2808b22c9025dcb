import type { CommandModule } from 'yargs';
import { contextFrom } from '../options.ts';

export const downCommand: CommandModule = {
  command: 'down',
  describe: 'Delete the cluster; LAB_DATA_DIR is kept unless --purge',
  builder: (y) =>
    y
      .option('purge', { type: 'boolean', default: false, describe: 'Also delete LAB_DATA_DIR (asks first unless --yes)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask before purging' })
      .example('$0 down', 'delete the cluster, keep the data')
      .example('$0 down --purge --yes', 'delete the cluster and the data, no question'),
  handler: async (argv) => {
    const ctx = await contextFrom(argv, { yes: Boolean(argv.yes) });
    const { runDown } = await import('../../lab/down.ts');
    await runDown(ctx, { purge: Boolean(argv.purge) });
  },
};
