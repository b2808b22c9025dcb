// How fast the `lab` command answers, as `npm run lab` runs it (node scripts/lab.mjs, the compiled
// CLI), against goals from issue 9. Brings up its own sim lab in a temp project, takes the median of
// --runs runs of each, prints the figures, and takes the lab down. Needs the test environment
// (`make testenv`). Prints figures only; the exit code does not depend on them.
//
//   npx tsx bench/cli-start.ts [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testenvBinDir } from '../lab/testenv/build.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const root = mkdtempSync(path.join(os.tmpdir(), 'lab-bench-'));
const name = `bench-${process.pid.toString(36)}`;
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_'))), CI: 'true', LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: name };

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const lab = (args: string[]) => timed(process.execPath, [path.join(REPO, 'scripts', 'lab.mjs'), ...args]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const measure = (fn: () => number) => median(Array.from({ length: RUNS }, fn));
const kubectl = path.join(testenvBinDir(), 'kubectl');
const k = (args: string[]): [string, string[]] => [kubectl, ['--kubeconfig', path.join(root, '.lab', 'kubeconfig'), '--context', `kwok-${name}`, ...args]];

lab(['--help']); // the first run compiles the CLI if the sources changed: not measured
const up = lab(['up']);
try {
  const rows: Array<[string, number, string]> = [];
  rows.push(['lab --help', measure(() => lab(['--help'])), '≤ 400 ms']);
  rows.push(['lab exercise --list', measure(() => lab(['exercise', '--list'])), '≤ 400 ms']);
  rows.push(['lab status (sim lab up)', measure(() => lab(['status'])), '≤ 1000 ms']);
  rows.push(['lab up, nothing to change', measure(() => lab(['up'])), '≤ 2000 ms']);
  const seed = measure(() => lab(['seed', 'sock-shop']));
  lab(['render', '--out', path.join(root, 'rendered')]);
  const file = path.join(root, 'rendered', 'sock-shop.yaml');
  const baseline = measure(() => timed(...k(['apply', '--server-side', '--field-manager', 'cloud-native-lab', '-f', file])) +
    timed(...k(['wait', '--for=condition=Available', 'deployment', '--all', '-n', 'sock-shop', '--timeout=120s'])));
  rows.push(['lab seed sock-shop', seed, `≤ 1.15 × kubectl (${(seed / baseline).toFixed(2)} ×)`]);
  rows.push(['kubectl apply --server-side + kubectl wait (same objects)', baseline, 'baseline']);
  console.log(`cli-start: median of ${RUNS} runs each, node ${process.version}, ${os.cpus().length} CPUs (first lab up: ${(up / 1000).toFixed(1)} s)`);
  for (const [what, ms, goal] of rows) console.log(`  ${what.padEnd(58)} ${String(Math.round(ms)).padStart(5)} ms   goal ${goal}`);
} finally {
  lab(['down', '--purge', '--yes']);
}
