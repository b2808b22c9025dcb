// Flags shared by every command: one per setting in lab/config-keys.ts, plus a helper that turns
// parsed flags into a LabContext.
import type { Argv } from 'yargs';
import { loadConfig } from '../lab/config.ts';
import { KEYS } from '../lab/config-keys.ts';
import { createContext, type LabContext, type LabFlags } from '../lab/context.ts';
import { createOutput } from '../lab/log.ts';
import { ZxRunner } from '../lab/run.ts';

export function configOptions<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const k of KEYS) {
    out = out.option(k.flag, { type: 'string', describe: `${k.help} [${k.key}]`, group: 'Settings (override .env and environment):' }) as Argv<T>;
  }
  return out;
}

export function contextFrom(argv: Record<string, unknown>, flags: Partial<LabFlags> = {}): LabContext {
  const cfg = loadConfig({ flags: argv });
  const verbose = Boolean(argv.verbose);
  const { log, status } = createOutput({ verbose });
  return createContext({ cfg, log, status, run: new ZxRunner(verbose), flags });
}
