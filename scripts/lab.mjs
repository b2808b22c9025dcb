#!/usr/bin/env node
// The `lab` command (`npm run lab -- …`, `make lab-up`): runs the CLI from compiled JavaScript, so a
// command starts in a fraction of a second instead of paying for a TypeScript loader each time.
// The build is automatic — nothing for a new user to remember: the first run (and the first after a
// source changes) compiles lab/ and scripts/ with esbuild into node_modules/.cache, keyed by the
// sources' names, sizes and modification times; every later run only checks those (a few ms).
// If esbuild cannot build, the TypeScript sources run through tsx instead.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cloud-native-lab', 'cli');
const RECIPE = 2; // bump when the build options below change
const EXTERNAL = ['yargs', 'yargs/*', 'zx', 'ora', 'undici', 'yaml', 'dotenv', 'esbuild', 'tsx', 'tsx/*'];

/** A key that changes whenever a source the CLI is built from changes. */
function sourcesKey() {
  const h = createHash('sha256').update(`recipe ${RECIPE}\0${process.version}\0`);
  for (const dir of ['lab', 'scripts']) {
    for (const rel of readdirSync(path.join(ROOT, dir), { recursive: true }).sort()) {
      if (!/\.(ts|mjs)$/.test(rel)) continue;
      const st = statSync(path.join(ROOT, dir, rel));
      h.update(`${dir}/${rel}\0${st.size}\0${st.mtimeMs}\0`);
    }
  }
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) {
    const st = statSync(path.join(ROOT, f), { throwIfNoEntry: false });
    h.update(`${f}\0${st?.size}\0${st?.mtimeMs}\0`);
  }
  return h.digest('hex').slice(0, 16);
}

async function build(outdir) {
  const esbuild = await import('esbuild');
  const tmp = `${outdir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { main: path.join(ROOT, 'scripts', 'main.ts') },
    bundle: true,
    splitting: true, // each command's work is its own chunk, loaded when the command runs
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // @kubernetes/client-node is bundled: loaded as its ~700 separate files it costs ≈ 0.5 s to
    // resolve and compile on every command that talks to the cluster; as one chunk, a fraction.
    // Everything else stays in node_modules (yargs, for one, reads its locale files from there).
    external: EXTERNAL,
    banner: { js: "import { createRequire as __labCreateRequire } from 'node:module'; const require = __labCreateRequire(import.meta.url);" },
    outdir: tmp,
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  try {
    renameSync(tmp, outdir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process built the same sources first
  }
  // Builds of older sources go after a day (a command still running from one keeps its chunks).
  for (const old of readdirSync(CACHE)) {
    const p = path.join(CACHE, old);
    if (p !== outdir && Date.now() - statSync(p).mtimeMs > 86_400_000) rmSync(p, { recursive: true, force: true });
  }
}

async function entry() {
  const outdir = path.join(CACHE, sourcesKey());
  const main = path.join(outdir, 'main.js');
  try {
    if (!existsSync(main)) {
      mkdirSync(CACHE, { recursive: true });
      await build(outdir);
    } else {
      const now = new Date();
      utimesSync(outdir, now, now); // in use: not pruned
    }
    // Stacks (--verbose) point into the sources; only then, as source maps cost time to load.
    if (process.argv.includes('--verbose')) process.setSourceMapsEnabled(true);
    return pathToFileURL(main).href;
  } catch (err) {
    if (process.env.CLOUD_NATIVE_LAB_DEBUG) process.stderr.write(`lab: compiled CLI unavailable (${err.message}); running the TypeScript sources\n`);
    const { register } = await import('tsx/esm/api');
    register();
    return pathToFileURL(path.join(ROOT, 'scripts', 'main.ts')).href;
  }
}

process.env.CLOUD_NATIVE_LAB_SOURCES ??= ROOT;
const { main, onInterrupt } = await import(await entry());
process.once('SIGINT', onInterrupt);
process.exitCode = await main(process.argv.slice(2));
