// Where `charts refresh` reads each pinned chart from: a verified archive (unpacked into a temp dir,
// its subchart archives too), or, with --from DIR, an unpacked chart directory DIR/<chart>/ — or the
// chart's archive DIR/<chart>-<version>.tgz, verified like a cached one, for a chart whose published
// archive is at hand when others' are not.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { mustRun, type Runner } from '../run.ts';
import type { ChartPin } from '../versions.ts';
import { archiveName, verifyArchive } from './archive.ts';
import { readChartYaml } from './chart-keys.ts';

/** Unpack `archive` into `into`; returns the chart's directory. Nested charts/*.tgz are unpacked in
 * place (helm package keeps dependencies as archives), so every chart is a directory afterwards. */
export async function unpackChart(run: Runner, archive: string, into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  await mustRun(run, 'tar', ['-xzf', archive, '-C', into]);
  const top = readdirSync(into).filter((e) => existsSync(path.join(into, e, 'Chart.yaml')));
  if (top.length !== 1) throw new UsageError(`${archive} is not a chart archive (found ${top.length} charts at its top)`);
  const dir = path.join(into, top[0]);
  await unpackSubcharts(run, dir);
  return dir;
}

async function unpackSubcharts(run: Runner, dir: string): Promise<void> {
  const charts = path.join(dir, 'charts');
  if (!existsSync(charts)) return;
  for (const e of readdirSync(charts)) {
    if (e.endsWith('.tgz')) {
      const tgz = path.join(charts, e);
      await mustRun(run, 'tar', ['-xzf', tgz, '-C', charts]);
      rmSync(tgz);
    }
  }
  for (const e of readdirSync(charts)) {
    const sub = path.join(charts, e);
    if (existsSync(path.join(sub, 'Chart.yaml'))) await unpackSubcharts(run, sub);
  }
}

/** The chart directory for `pin`: from `from` (unpacked, DIR/<chart>) or the verified archive in
 * `cacheDir` (unpacked under `work`). Refuses a chart whose Chart.yaml is not the pinned version. */
export async function chartDirFor(run: Runner, pin: ChartPin, opts: { from?: string; cacheDir: string; work: string }): Promise<string> {
  let dir: string;
  const unpackVerified = async (archive: string) => {
    verifyArchive(archive, pin);
    return unpackChart(run, archive, path.join(opts.work, pin.chart));
  };
  if (opts.from) {
    dir = path.join(opts.from, pin.chart);
    const archive = path.join(opts.from, archiveName(pin));
    if (!existsSync(path.join(dir, 'Chart.yaml'))) {
      if (!existsSync(archive)) {
        throw new UsageError(`--from ${opts.from}: no unpacked chart ${pin.chart} there (expected ${path.join(dir, 'Chart.yaml')} or ${archive})`, 'Unpack each chart as DIR/<chart>/ with its dependencies in DIR/<chart>/charts/, or put its archive there as it is published.');
      }
      dir = await unpackVerified(archive);
    }
  } else {
    const archive = path.join(opts.cacheDir, archiveName(pin));
    if (!existsSync(archive)) {
      throw new UsageError(`chart archive ${archive} is not there`, 'Cache the archives first (npm run lab -- charts pull --all), or give unpacked charts with --from DIR.');
    }
    dir = await unpackVerified(archive);
  }
  const meta = readChartYaml(dir);
  if (meta.name !== pin.chart || meta.version !== pin.version) {
    throw new UsageError(`${dir} is ${meta.name} ${meta.version}, but lab/versions.ts pins ${pin.chart} ${pin.version}`);
  }
  return dir;
}

/** name@version of each subchart present under charts/ (recursively), sorted. */
export function subchartVersions(dir: string): string[] {
  const out: string[] = [];
  const charts = path.join(dir, 'charts');
  if (!existsSync(charts)) return out;
  for (const e of readdirSync(charts)) {
    const sub = path.join(charts, e);
    if (!existsSync(path.join(sub, 'Chart.yaml'))) continue;
    const m = readChartYaml(sub);
    out.push(`${m.name}@${m.version}`, ...subchartVersions(sub));
  }
  return out.sort();
}
