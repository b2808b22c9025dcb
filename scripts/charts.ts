#!/usr/bin/env -S npx tsx
// The chart contract (fixtures/charts/contract.json), regenerated from the real pinned charts:
//
//   npx tsx scripts/charts.ts refresh [--from DIR] [--cache DIR] [--kiali-crd FILE] [--helm PATH] [--only RELEASE]… [--note TEXT]…
//
// Without --from it reads .lab/cache/charts/<chart>-<version>.tgz (npm run lab -- charts pull --all),
// refusing an archive whose sha256 is not the CHARTS pin; --from DIR reads unpacked charts DIR/<chart>/
// (or a chart's archive DIR/<chart>-<version>.tgz, sha256-checked the same way).
// The work is in lab/charts/refresh.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { chartCacheDir } from '../lab/charts/archive.ts';
import { CONTRACT_FILE, loadContract } from '../lab/charts/contract.ts';
import { refreshContract } from '../lab/charts/refresh.ts';
import { exitCodeFor, UsageError } from '../lab/errors.ts';
import { PROJECT_ROOT } from '../lab/project-root.ts';
import { ZxRunner } from '../lab/run.ts';
import { testenvBinDir } from '../lab/testenv/build.ts';
import { toolPath } from '../lab/tools.ts';
import { renderError } from './main.ts';

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('charts.ts')
    .command(
      'refresh',
      'Regenerate fixtures/charts/contract.json by rendering each pinned chart with our values',
      (y) =>
        y
          .option('from', { type: 'string', describe: 'Unpacked charts, DIR/<chart>/ (dependencies in DIR/<chart>/charts/), or a chart archive DIR/<chart>-<version>.tgz (sha256-checked)' })
          .option('cache', { type: 'string', default: chartCacheDir(path.join(PROJECT_ROOT, '.lab')), describe: 'Where the chart archives are' })
          .option('kiali-crd', { type: 'string', describe: "Kiali's CR definition, for its config keys (kiali-operator crd-docs/crd/kiali.io_kialis.yaml)" })
          .option('helm', { type: 'string', describe: 'helm binary (default: .lab/bin, the test environment, then PATH)' })
          .option('only', { type: 'string', array: true, default: [] as string[], describe: 'Render only these releases; keep the others as the current contract has them' })
          .option('note', { type: 'string', array: true, default: [] as string[], describe: 'A line for the contract\'s generated.notes' })
          .option('out', { type: 'string', default: CONTRACT_FILE, describe: 'Where to write the contract' }),
      async (a) => {
        const helm = a.helm ?? toolPath('helm', [path.join(PROJECT_ROOT, '.lab', 'bin'), testenvBinDir()]);
        const previous = existsSync(a.out) ? loadContract(a.out) : undefined;
        await refreshContract({
          run: new ZxRunner(false),
          helm,
          from: a.from,
          cacheDir: a.cache,
          kialiCrd: a['kiali-crd'],
          previous,
          notes: a.note.map(String),
          only: a.only.map(String),
          out: a.out,
          log: (l) => process.stdout.write(`${l}\n`),
        });
        process.stdout.write(`wrote ${path.relative(process.cwd(), a.out)}\n`);
      },
    )
    .demandCommand(1, 'Name a command: refresh')
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .parseAsync();
}

try {
  await main(hideBin(process.argv));
} catch (err) {
  process.stderr.write(renderError(err, process.argv.includes('--verbose')));
  process.exitCode = exitCodeFor(err);
}
