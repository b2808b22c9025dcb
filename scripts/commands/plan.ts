import type { CommandModule } from 'yargs';
import { contextFrom } from '../options.ts';

export const planCommand: CommandModule = {
  command: 'plan',
  describe: 'Print every step `up` would run, with commands and generated files; runs nothing',
  builder: (y) => y.option('label-nodes', { type: 'boolean', default: false }).example('$0 plan --provider minikube', 'the minikube start command and node labels'),
  handler: async (argv) => {
    const { planLines } = await import('../../lab/pipeline.ts');
    const ctx = await contextFrom(argv, { dryRun: true, labelNodes: Boolean(argv.labelNodes) }, { creates: true });
    process.stdout.write(`Plan for LAB_PROVIDER=${ctx.cfg.provider}, cluster ${ctx.cfg.clusterName}, profile ${ctx.cfg.profile}:\n`);
    process.stdout.write(`${planLines(ctx).join('\n')}\n`);
  },
};
