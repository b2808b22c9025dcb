#!/usr/bin/env -S npx tsx
// Test environment: real control-plane binaries and tools built from Go modules (docs/testenv-notes.md).
//
//   npx tsx scripts/testenv.ts build [--force] [--only a,b] [--verbose]
//   npx tsx scripts/testenv.ts bin-dir
//   npx tsx scripts/testenv.ts versions
//   npx tsx scripts/testenv.ts start <name> <kubeconfig> [--port N] [--no-smoke]
//   npx tsx scripts/testenv.ts stop <name> [kubeconfig]
//   npx tsx scripts/testenv.ts kindcheck <file>...
import { join } from 'node:path';
import { $ } from 'zx';
import {
  allBinaries,
  clusterMemory,
  ensureTestenv,
  GROUPS,
  kindConfigCheck,
  kwokWorkdir,
  smokeTest,
  startKwokCluster,
  stopKwokCluster,
  testenvBinDir,
} from '../lab/testenv/index.ts';

const USAGE = `usage: testenv.ts <command>
  build [--force] [--only a,b] [--verbose]   build missing binaries (${allBinaries().join(', ')})
  bin-dir                                    print the binary directory
  versions                                   run each binary's version command
  start <name> <kubeconfig> [--port N] [--no-smoke]
                                             kwokctl cluster on 127.0.0.1 from the local binaries, then smoke-test it
  stop <name> [kubeconfig]                   stop it, delete its state, remove its kubeconfig context
  kindcheck <file>...                        would kind accept these cluster configs?`;

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}
function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}
const pad = (s: string, n: number) => s.padEnd(n);

async function build(args: string[]) {
  const force = flag(args, '--force');
  const verbose = flag(args, '--verbose') || flag(args, '-v');
  const only = option(args, '--only')?.split(',').filter(Boolean);
  const t0 = performance.now();
  console.log(`testenv: ${testenvBinDir()}`);
  const res = await ensureTestenv({
    force,
    only,
    verbose,
    onBinary: (name, b) => {
      const how = b.cached
        ? 'cached'
        : `${b.seconds}s (modules ${b.downloadSeconds}s, compile ${b.compileSeconds}s)`;
      console.log(`${pad(name, 24)} ${pad(b.version, 50)} ${how}`);
    },
  });
  for (const [group, c] of Object.entries(res.crds)) console.log(`${pad(`crds ${group}`, 24)} ${pad(`${c.files.length} files`, 50)} ${c.cached ? 'cached' : 'copied'} (${c.dir})`);
  const n = Object.values(res.built).filter((b) => !b.cached).length;
  console.log(`testenv: ${n} built, ${Object.keys(res.built).length - n} cached, ${Math.round((performance.now() - t0) / 1000)}s total`);
}

async function versions() {
  const dir = testenvBinDir();
  for (const g of GROUPS) {
    for (const b of g.bins) {
      const p = await $({ quiet: true, nothrow: true })`${join(dir, b.name)} ${b.versionArgs}`;
      const first = (p.stdout || p.stderr).trim().split('\n').slice(0, 2).join(' | ');
      console.log(`${pad(b.name, 24)} ${p.exitCode === 0 ? first : `FAILED (exit ${p.exitCode}) ${first}`}`);
    }
  }
}

async function start(args: string[]) {
  const noSmoke = flag(args, '--no-smoke');
  const port = option(args, '--port');
  const [name, kubeconfig] = args;
  if (!name || !kubeconfig) throw new Error('usage: start <name> <kubeconfig> [--port N] [--no-smoke]');
  const c = await startKwokCluster({ name, kubeconfig, apiserverPort: port ? Number(port) : undefined });
  console.log(`cluster ${c.name} ready in ${c.seconds}s: ${c.server}`);
  console.log(`  kubectl --kubeconfig ${c.kubeconfig} --context ${c.context} get ns`);
  console.log(`  state: ${c.clusterDir}   (KWOK_WORKDIR=${kwokWorkdir()})`);
  if (noSmoke) return;
  const steps = await smokeTest(c.kubeconfig);
  for (const s of steps) console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${pad(s.step, 64)} ${s.seconds}s${s.ok ? '' : `\n${s.detail.replace(/^/gm, '       ')}`}`);
  const mem = await clusterMemory(c.clusterDir);
  const total = Object.values(mem).reduce((a, b) => a + b, 0);
  console.log(`  memory (RSS MiB): ${Object.entries(mem).map(([k, v]) => `${k} ${v}`).join(', ')}; total ${total}`);
  if (steps.some((s) => !s.ok)) throw new Error(`smoke test failed on cluster ${name} (left running; stop it with: testenv.ts stop ${name} ${kubeconfig})`);
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  switch (cmd) {
    case 'build':
      return build(args);
    case 'bin-dir':
      return console.log(testenvBinDir());
    case 'versions':
      return versions();
    case 'start':
      return start(args);
    case 'stop': {
      const [name, kubeconfig] = args;
      if (!name) throw new Error('usage: stop <name> [kubeconfig]');
      await stopKwokCluster(name, { kubeconfig });
      return console.log(`cluster ${name} stopped and removed`);
    }
    case 'kindcheck': {
      if (!args.length) throw new Error('usage: kindcheck <file>...');
      let bad = 0;
      for (const f of args) {
        const r = await kindConfigCheck(f);
        console.log(`${f}: ${r.accepted ? 'accepted' : 'REJECTED'}`);
        for (const e of r.errors) console.log(`  error: ${e}`);
        for (const w of r.warnings) console.log(`  warning: ${w}`);
        if (!r.accepted) bad++;
      }
      if (bad) process.exitCode = 1;
      return;
    }
    default:
      console.error(USAGE);
      process.exitCode = cmd ? 2 : 0;
  }
}

main().catch((e: Error) => {
  console.error(`testenv: ${e.message}`);
  process.exitCode = 1;
});
