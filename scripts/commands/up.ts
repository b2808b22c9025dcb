import type { CommandModule } from 'yargs';
import { contextFrom } from '../options.ts';

export const upCommand: CommandModule = {
  command: 'up',
  describe: 'Create the cluster and install the lab (a reconcile: a second run changes nothing)',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'Show the plan instead (same as `lab plan`)' })
      .option('retain', { type: 'boolean', default: false, describe: 'Keep a cluster whose creation failed, for inspection' })
      .option('recreate', { type: 'boolean', default: false, describe: 'Replace a cluster whose spec differs from the settings' })
      .option('label-nodes', { type: 'boolean', default: false, describe: 'existing provider: allow labelling worker nodes with node groups' })
      .option('overwrite-mesh', { type: 'boolean', default: false, describe: 'existing provider: run istioctl install even though the cluster already has a mesh' })
      .example('$0 up', 'kind cluster with 4 labelled workers, storage and everything in the profile')
      .example('$0 up --workers 5 --recreate', 'change the node count (data in LAB_DATA_DIR is kept)'),
  handler: async (argv) => {
    const ctx = await contextFrom(argv, { dryRun: Boolean(argv.dryRun), retain: Boolean(argv.retain), recreate: Boolean(argv.recreate), labelNodes: Boolean(argv.labelNodes), overwriteMesh: Boolean(argv.overwriteMesh) }, { creates: true });
    const { runUp } = await import('../../lab/up.ts');
    await runUp(ctx);
  },
};
