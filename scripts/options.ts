// Flags shared by every command: one per setting in lab/config-keys.ts, plus a helper that turns
// parsed flags into a LabContext.
import type { Argv } from 'yargs';
import { otherActiveLab } from '../lab/active-lab.ts';
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

/** `creates`: the command decides what to create (up, plan, doctor), so the active-lab record
 * must not choose the provider for it; it only says when another lab is up. */
export function contextFrom(argv: Record<string, unknown>, flags: Partial<LabFlags> = {}, opts: { creates?: boolean } = {}): LabContext {
  const cfg = loadConfig({ flags: argv, useActiveLab: !opts.creates });
  const verbose = Boolean(argv.verbose);
  const { log, status } = createOutput({ verbose });
  if (opts.creates) {
    const other = otherActiveLab(cfg);
    if (other) log.warn(other);
  }
  return createContext({ cfg, log, status, run: new ZxRunner(verbose), flags });
}
