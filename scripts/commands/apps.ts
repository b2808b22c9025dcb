import type { CommandModule } from 'yargs';
import { UsageError } from '../../lab/errors.ts';
import { SAMPLES, type SampleName } from '../../lab/samples/names.ts';
import { contextFrom } from '../options.ts';

export const seedCommand: CommandModule = {
  command: 'seed [samples..]',
  describe: 'Deploy the sample apps (also done by up) and wait until they are ready',
  builder: (y) =>
    y
      .positional('samples', { choices: SAMPLES, describe: 'Which samples (default: all)' })
      .option('reset-data', { type: 'boolean', default: false, describe: "eng-app: empty MySQL's data first, so it starts over with eng-app.env's passwords (the sentences are kept)" })
      .example('$0 seed eng-app', 'redeploy eng_app, e.g. after editing eng-app.env')
      .example('$0 seed eng-app --reset-data', "start MySQL over, e.g. after changing MYSQL_ROOT_PASSWORD in eng-app.env"),
  handler: async (argv) => {
    const ctx = await contextFrom(argv);
    const { resetEngAppData, seedSample } = await import('../../lab/steps/samples.ts');
    const chosen = ((argv.samples as string[] | undefined)?.length ? argv.samples : SAMPLES) as SampleName[];
    if (argv.resetData && chosen.join() !== 'eng-app') throw new UsageError('--reset-data resets eng_app\'s MySQL only: run `npm run lab -- seed eng-app --reset-data`');
    for (const name of chosen) {
      ctx.status.start(`Seed ${name}`);
      try {
        await (argv.resetData ? resetEngAppData(ctx) : seedSample(ctx, name));
        ctx.status.ok(`Seeded ${name}`);
      } catch (err) {
        ctx.status.fail(`Seed ${name}`);
        throw err;
      }
    }
  },
};

export const logsCommand: CommandModule = {
  command: 'logs <app>',
  describe: "Logs of a sample app or database (e.g. eng-app, mysql, db-init, front-end, carts-db)",
  builder: (y) =>
    y
      .positional('app', { type: 'string', demandOption: true })
      .option('follow', { alias: 'f', type: 'boolean', default: false })
      .option('tail', { type: 'number', default: 200 })
      .example('$0 logs db-init', "the eng_app db-init Job's output"),
  handler: async (argv) => {
    const ctx = await contextFrom(argv);
    const { findTarget, logsArgv, runAttached } = await import('../../lab/app-access.ts');
    await runAttached(ctx, logsArgv(ctx, findTarget(ctx, String(argv.app)), { follow: Boolean(argv.follow), tail: Number(argv.tail) }));
  },
};

export const shellCommand: CommandModule = {
  command: 'shell <app>',
  describe: 'A shell in a sample app, or the client of a database (mysql, mongo, redis-cli), logged in',
  builder: (y) => y.positional('app', { type: 'string', demandOption: true }).example('$0 shell mysql', "eng_app's MySQL as root"),
  handler: async (argv) => {
    const ctx = await contextFrom(argv);
    const { findTarget, runAttached, shellArgv } = await import('../../lab/app-access.ts');
    await runAttached(ctx, shellArgv(ctx, findTarget(ctx, String(argv.app))));
  },
};
