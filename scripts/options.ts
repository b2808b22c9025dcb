// Flags shared by every command: one per setting in lab/config-keys.ts, plus a helper that turns
// parsed flags into a LabContext.
// The lab's modules are loaded by the handler that needs them, not at start: `--help` and
// `exercise --list` must not pay for @kubernetes/client-node or zx.
import type { Argv } from 'yargs';
import { KEYS } from '../lab/config-keys.ts';
import type { LabContext, LabFlags } from '../lab/context.ts';

export function configOptions<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const k of KEYS) {
    out = out.option(k.flag, { type: 'string', describe: `${k.help} [${k.key}]`, group: 'Settings (override .env and environment):' }) as Argv<T>;
  }
  return out;
}

/** `creates`: the command decides what to create (up, plan, doctor), so the active-lab record
 * must not choose the provider for it; it only says when another lab is up. */
export async function contextFrom(argv: Record<string, unknown>, flags: Partial<LabFlags> = {}, opts: { creates?: boolean } = {}): Promise<LabContext> {
  const [{ otherActiveLab }, { loadConfig }, { createContext }, { createOutput }, { ZxRunner }] = await Promise.all([
    import('../lab/active-lab.ts'), import('../lab/config.ts'), import('../lab/context.ts'), import('../lab/log.ts'), import('../lab/run.ts'),
  ]);
  const cfg = loadConfig({ flags: argv, useActiveLab: !opts.creates });
  const verbose = Boolean(argv.verbose);
  const { log, status } = createOutput({ verbose });
  if (opts.creates) {
    const other = otherActiveLab(cfg);
    if (other) log.warn(other);
  }
  return createContext({ cfg, log, status, run: new ZxRunner(verbose), flags });
}
