import type { CommandModule } from 'yargs';
import { UsageError } from '../../lab/errors.ts';
import { contextFrom } from '../options.ts';

export const gitopsCommand: CommandModule = {
  command: 'gitops <action>',
  describe: "GitOps mode (LAB_GITOPS=argocd): the lab's git repository of manifests/ and Argo CD's view of it",
  builder: (y) =>
    y
      .positional('action', { choices: ['status', 'commit', 'log'] as const, describe: 'status: uncommitted edits and each Application; commit: commit manifests/ and ask Argo CD to refresh; log: the commits' })
      .option('message', { alias: 'm', type: 'string', describe: 'commit: the commit message' })
      .option('limit', { alias: 'n', type: 'number', default: 20, describe: 'log: how many commits' })
      .example('$0 gitops commit -m "front-end: 2 replicas"', 'commit your edit of manifests/; Argo CD rolls it out')
      .example('$0 gitops status', 'what is not committed, and whether each Application is Synced at HEAD and Healthy'),
  handler: async (argv) => {
    const { gitopsCommit, gitopsLog, gitopsStatus } = await import('../../lab/gitops/commands.ts');
    if (argv.action === 'commit' && !String(argv.message ?? '').trim()) throw new UsageError('gitops commit needs a message', 'Give it with -m "what you changed".');
    const ctx = await contextFrom(argv, {}, { creates: false });
    const lines =
      argv.action === 'commit' ? await gitopsCommit(ctx, String(argv.message)) : argv.action === 'log' ? await gitopsLog(ctx, Number(argv.limit)) : await gitopsStatus(ctx);
    for (const l of lines) process.stdout.write(`${l}\n`);
  },
};
