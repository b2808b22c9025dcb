import type { CommandModule } from 'yargs';
import { FORWARD_TARGETS, chooseTargets, forward } from '../../lab/port-forward.ts';
import { contextFrom } from '../options.ts';

export const pfCommand: CommandModule = {
  command: 'pf [targets..]',
  describe: `Port-forward lab services to 127.0.0.1 (${FORWARD_TARGETS.map((t) => t.name).join(', ')}) until Ctrl-C`,
  builder: (y) => y.positional('targets', { type: 'string', array: true }).example('$0 pf eng-app', 'eng_app on http://127.0.0.1:3000, bypassing the gateway'),
  handler: async (argv) => {
    const ctx = await contextFrom(argv);
    await forward(ctx, await chooseTargets(ctx, (argv.targets as string[] | undefined) ?? []));
  },
};
