// Chart archives: pulled once into .lab/cache/charts/, checked against the pinned SHA-256 (the
// `digest` of the chart repository's index.yaml) every time before use, and refused on a mismatch,
// as the installer does for CLIs. The lab installs from that local file, never from a repository.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LabContext } from '../context.ts';
import { LabError } from '../errors.ts';
import { mustRun } from '../run.ts';
import type { ChartPin } from '../versions.ts';

export const chartCacheDir = (stateDir: string) => path.join(stateDir, 'cache', 'charts');
export const archiveName = (pin: ChartPin) => `${pin.chart}-${pin.version}.tgz`;
export const archivePath = (stateDir: string, pin: ChartPin) => path.join(chartCacheDir(stateDir), archiveName(pin));

export const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The cached archive if it is there and matches its pin; a mismatch is an error, never a re-download. */
export function cachedArchive(stateDir: string, pin: ChartPin): string | undefined {
  const file = archivePath(stateDir, pin);
  if (!existsSync(file)) return undefined;
  verifyArchive(file, pin);
  return file;
}

export function verifyArchive(file: string, pin: ChartPin): void {
  const actual = sha256File(file);
  if (actual !== pin.sha256) {
    throw new LabError(`chart archive ${file} does not match its pin (${pin.chart} ${pin.version})`, {
      detail: [
        `expected sha256 ${pin.sha256} (${pin.digestSource})`,
        `found    sha256 ${actual}`,
        'The file is not the archive the lab was written against: delete it and run again to pull it anew;',
        'if the download differs again, the repository serves a different archive: do not install it.',
      ].join('\n'),
    });
  }
}

export function pullArgv(ctx: LabContext, pin: ChartPin, destination: string): string[] {
  return [ctx.tool('helm'), 'pull', pin.chart, '--repo', pin.repo.url, '--version', pin.version, '--destination', destination];
}

/** The verified local archive: from the cache, or pulled into a temp dir, checked, then moved in. */
export async function ensureArchive(ctx: LabContext, pin: ChartPin): Promise<string> {
  const cached = cachedArchive(ctx.cfg.stateDir, pin);
  if (cached) return cached;
  const dir = chartCacheDir(ctx.cfg.stateDir);
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(path.join(dir, '.pull-'));
  try {
    const [cmd, ...args] = pullArgv(ctx, pin, tmp);
    await mustRun(ctx.run, cmd, args, { timeoutMs: 300_000 }).catch((err) => {
      throw new LabError(`could not download chart ${pin.chart} ${pin.version} from ${pin.repo.url}`, {
        cause: err,
        detail: `${(err as LabError).detail ?? ''}\nCheck the network, or put the archive at ${archivePath(ctx.cfg.stateDir, pin)} yourself (its sha256 must be ${pin.sha256}).`.trim(),
      });
    });
    const got = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!got) throw new LabError(`helm pull ${pin.chart} ${pin.version} wrote no archive into ${tmp}`);
    verifyArchive(path.join(tmp, got), pin);
    renameSync(path.join(tmp, got), archivePath(ctx.cfg.stateDir, pin));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return archivePath(ctx.cfg.stateDir, pin);
}
