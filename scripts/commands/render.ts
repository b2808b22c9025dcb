import type { CommandModule } from 'yargs';
import { contextFrom } from '../options.ts';

export const renderCommand: CommandModule = {
  command: 'render',
  describe: 'Write every manifest the lab would apply, one file per component, to --out DIR',
  builder: (y) =>
    y
      .option('out', { type: 'string', demandOption: 'Give --out DIR: the directory to write manifests into', describe: 'Output directory (created if missing)' })
      .example('$0 render --out ./rendered', 'for GitOps, review or validation (istioctl analyze, kubeconform)'),
  handler: async (argv) => {
    const { renderAll } = await import('../../lab/render.ts');
    const ctx = await contextFrom(argv, {}, { creates: true });
    const files = renderAll(ctx, String(argv.out));
    for (const f of files) process.stdout.write(`${f}\n`);
  },
};
