// `npm run lab` runs scripts/lab.mjs: the CLI compiled once per change of its sources (esbuild, into
// node_modules/.cache), loading each command's work only when that command runs. Shown here: it
// runs, it rebuilds when a source changes, and `--help` / `exercise --list` never load the
// Kubernetes client (≈ 0.55 s to import), zx or ora. (Times are in bench/cli-start.ts.)
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXERCISES } from '../../lab/exercises/index.ts';
import { EXERCISE_NAMES } from '../../lab/exercises/names.ts';
import { LAB_MJS, LAB_NODE, REPO, tempDir } from '../helpers.ts';

const HOOKS = path.join(REPO, 'test', 'unit', 'startup-hooks.mjs');
const run = (args: string[], mjs = LAB_MJS) => spawnSync(LAB_NODE, ['--import', HOOKS, mjs, ...args], { encoding: 'utf8', cwd: tempDir(), env: { ...process.env, CI: 'true' } });
const resolved = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('resolve ')).map((l) => l.slice(8));
const packages = (stderr: string) => [...new Set(resolved(stderr).filter((s) => !/^[./]|^file:/.test(s)).map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')))].sort();
/** The compiled chunk holding the lab's context (and with it the bundled Kubernetes client). */
const loadsClient = (stderr: string) => resolved(stderr).some((s) => /(^|\/)context-[A-Z0-9]+\.js$/.test(s));

test('--help and exercise --list load neither the Kubernetes client nor zx nor the spinner library', (t) => {
  for (const args of [['--help'], ['exercise', '--list']]) {
    const r = run(args);
    t.is(r.status, 0, r.stderr);
    const loaded = packages(r.stderr);
    for (const heavy of ['zx', 'ora']) t.false(loaded.includes(heavy), `${args.join(' ')} loaded ${heavy}: ${loaded.join(', ')}`);
    t.false(loadsClient(r.stderr), `${args.join(' ')} loaded the context chunk (the Kubernetes client)`);
  }
  t.regex(run(['exercise', '--list']).stdout, /traffic-split/);
});

test('a command that talks to the cluster does load the client (the probe is not blind)', (t) => {
  const r = run(['status']);
  t.true(loadsClient(r.stderr), r.stderr);
  t.true(packages(r.stderr).includes('zx'));
});

test('an edited source is compiled again before the next run', (t) => {
  const root = tempDir('lab-launcher-');
  for (const d of ['lab', 'scripts', 'manifests', 'tools']) cpSync(path.join(REPO, d), path.join(root, d), { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) cpSync(path.join(REPO, f), path.join(root, f));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  const mjs = path.join(root, 'scripts', 'lab.mjs');
  t.regex(run(['exercise', '--list'], mjs).stdout, /sock-shop front-end 80:20 between v1 and v2/);
  const file = path.join(root, 'lab', 'exercises', 'traffic-split.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('sock-shop front-end 80:20 between v1 and v2', 'EDITED SUMMARY'));
  t.regex(run(['exercise', '--list'], mjs).stdout, /EDITED SUMMARY/);
});

test('the exercise names the help lists are the exercises there are', (t) => {
  t.deepEqual([...EXERCISE_NAMES], EXERCISES.map((e) => e.name));
});
