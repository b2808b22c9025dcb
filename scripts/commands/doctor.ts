import type { CommandModule } from 'yargs';
import { LabError } from '../../lab/errors.ts';
import { contextFrom } from '../options.ts';

export const doctorCommand: CommandModule = {
  command: 'doctor',
  describe: 'Check this host for the chosen provider and profile (engine, resources, inotify, ports, CLIs)',
  builder: (y) => y.option('install', { type: 'boolean', default: false, describe: 'Install missing CLIs at their pinned versions into .lab/bin (SHA-256 checked)' }),
  handler: async (argv) => {
    const ctx = await contextFrom(argv, {}, { creates: true });
    const { checkHost, installMissing } = await import('../../lab/steps/preflight.ts');
    let outcomes = await checkHost(ctx);
    if (argv.install) {
      await installMissing(ctx, outcomes);
      outcomes = await checkHost(ctx);
    }
    const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
    for (const o of outcomes) {
      process.stdout.write(`${mark[o.status]} ${o.name}: ${o.message}\n${o.fix && o.status !== 'ok' ? `    fix: ${o.fix}\n` : ''}`);
    }
    const bad = outcomes.filter((o) => o.status === 'fail').length;
    if (bad > 0) throw new LabError(`${bad} check${bad > 1 ? 's' : ''} failed for LAB_PROVIDER=${ctx.cfg.provider}; see the fixes above`);
    process.stdout.write(`Ready for LAB_PROVIDER=${ctx.cfg.provider}, profile ${ctx.cfg.profile}.\n`);
  },
};
