// Builds the test-environment binaries from Go modules, once per TESTENV hash.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { go, goDirectives, goVersion, modDownload, readGoMod } from './go.ts';
import { testenvBinDir, testenvRoot } from './paths.ts';
import { GROUPS, type GroupSpec } from './spec.ts';
import { withLock } from './lock.ts';
import { ensureTestenvCrds, type CrdFolder } from './crds.ts';

export { testenvBinDir } from './paths.ts';

export interface BuiltBinary {
  version: string;
  /** Wall seconds of the build that produced it (shared by binaries of one module), or null if cached. */
  seconds: number | null;
  /** Of `seconds`: resolving + downloading modules (`go get`), and compiling (`go build`). */
  downloadSeconds?: number;
  compileSeconds?: number;
  cached: boolean;
  path: string;
}

export interface EnsureOptions {
  /** Rebuild even if the binary exists. */
  force?: boolean;
  /** Only these binaries (names such as 'kube-apiserver', 'helm'); default all. */
  only?: string[];
  /** `go build -p`; default the number of CPUs. */
  parallel?: number;
  /** Stream go's output. */
  verbose?: boolean;
  /** Called once per binary as soon as it is known (built or cached). */
  onBinary?: (name: string, b: BuiltBinary) => void;
}

export interface EnsureResult {
  binDir: string;
  built: Record<string, BuiltBinary>;
  /** CRDs copied out of Go modules (lab/testenv/crds.ts), by API group; none with `only`. */
  crds: Record<string, CrdFolder>;
}

export class TestenvBuildError extends Error {}

const secs = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

/** Build whatever is missing (or everything with `force`), copy the CRDs (unless `only`), and say where. */
export async function ensureTestenv(opts: EnsureOptions = {}): Promise<EnsureResult> {
  const res = await ensureBinaries(opts);
  return { ...res, crds: opts.only ? {} : await ensureTestenvCrds({ force: opts.force }) };
}

async function ensureBinaries(opts: EnsureOptions): Promise<Omit<EnsureResult, 'crds'>> {
  const binDir = testenvBinDir();
  const built: Record<string, BuiltBinary> = {};
  const wanted = (name: string) => !opts.only || opts.only.includes(name);
  const unknown = (opts.only ?? []).filter((n) => !GROUPS.some((g) => g.bins.some((b) => b.name === n)));
  if (unknown.length) throw new TestenvBuildError(`unknown testenv binary: ${unknown.join(', ')}`);

  const record = (name: string, b: BuiltBinary) => {
    built[name] = b;
    opts.onBinary?.(name, b);
  };
  const todo: GroupSpec[] = [];
  for (const g of GROUPS) {
    const bins = g.bins.filter((b) => wanted(b.name));
    if (!bins.length) continue;
    const stale = g.localDir && (await readFile(stampPath(binDir, g), 'utf8').catch(() => '')) !== (await sourceHash(g.localDir));
    const missing = bins.filter((b) => opts.force || stale || !existsSync(join(binDir, b.name)));
    if (missing.length) todo.push(g);
    else for (const b of bins) record(b.name, { version: g.display, seconds: null, cached: true, path: join(binDir, b.name) });
  }
  if (!todo.length) return { binDir, built };

  await goVersion(); // clear error if go is missing
  await mkdir(binDir, { recursive: true });
  await withLock(join(testenvRoot(), '.build.lock'), async () => {
    for (const g of todo) {
      // Another process may have built it while we waited for the lock.
      const bins = g.bins.filter((b) => wanted(b.name));
      const fresh = !g.localDir || (await readFile(stampPath(binDir, g), 'utf8').catch(() => '')) === (await sourceHash(g.localDir));
      if (!opts.force && fresh && bins.every((b) => existsSync(join(binDir, b.name)))) {
        for (const b of bins) record(b.name, { version: g.display, seconds: null, cached: true, path: join(binDir, b.name) });
        continue;
      }
      const t = await buildGroup(g, binDir, opts);
      for (const b of bins) record(b.name, { version: g.display, cached: false, path: join(binDir, b.name), ...t });
    }
  });
  return { binDir, built };
}

/** Our own Go modules (tools/…) are rebuilt when their source changes: bin/.<id>.src holds a hash of it. */
const stampPath = (binDir: string, g: GroupSpec) => join(binDir, `.${g.id}.src`);

async function sourceHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  const files = (await readdir(dir)).filter((f) => /\.go$|^go\.(mod|sum)$/.test(f)).sort();
  for (const f of files) h.update(f).update('\0').update(await readFile(join(dir, f))).update('\0');
  return h.digest('hex');
}

/** One module: wrapper go.mod in a temp dir under the cache, `go get`, one `go build -o tmp/ pkgs…`, then move into bin/. */
async function buildGroup(
  g: GroupSpec,
  binDir: string,
  opts: EnsureOptions,
): Promise<{ seconds: number; downloadSeconds: number; compileSeconds: number }> {
  const root = testenvRoot();
  const tmp = await mkdtemp(join(root, `tmp-${g.id}-`));
  const t0 = performance.now();
  try {
    const outDir = join(tmp, 'out');
    let cwd: string;
    let goMod = '';
    if (g.localDir) {
      cwd = g.localDir;
      await go(['mod', 'download'], cwd, opts.verbose);
    } else {
      cwd = join(tmp, 'mod');
      await mkdir(cwd, { recursive: true });
      const info = await modDownload(g.module, g.version, cwd);
      goMod = await readGoMod(info);
      const replaces = g.replaces?.(goMod) ?? [];
      const text = [
        'module testenv.local/' + g.id,
        '',
        ...goDirectives(goMod),
        '',
        `require ${g.module} ${g.version}`,
        ...(replaces.length ? ['', 'replace (', ...replaces.map((r) => `\t${r}`), ')'] : []),
        '',
      ].join('\n');
      await writeFile(join(cwd, 'go.mod'), text);
      await go(['get', ...g.bins.map((b) => `${b.pkg}@${g.version}`)], cwd, opts.verbose);
    }
    const tDl = secs(t0);
    const t1 = performance.now();
    const ldflags = ['-s', '-w', ...g.ldflags(goMod).map((x) => `-X=${x}`)].join(' ');
    const args = ['build', '-p', String(opts.parallel ?? cpus().length), '-trimpath', `-ldflags=${ldflags}`];
    if (g.tags?.length) args.push(`-tags=${g.tags.join(',')}`);
    // `-o dir/` with one package would name the file after the package dir ('.' for local) — use a file path then.
    if (g.bins.length === 1) args.push('-o', join(outDir, g.bins[0].name), g.bins[0].pkg);
    else args.push('-o', outDir + '/', ...g.bins.map((b) => b.pkg));
    await mkdir(outDir, { recursive: true });
    await go(args, cwd, opts.verbose);
    const tBuild = secs(t1);
    if (g.localDir) await writeFile(stampPath(binDir, g), await sourceHash(g.localDir));
    for (const b of g.bins) {
      if (!(await readdir(outDir)).includes(b.name)) throw new TestenvBuildError(`${g.id}: go build produced no ${b.name}`);
      await rename(join(outDir, b.name), join(binDir, b.name)); // same filesystem: atomic
    }
    return { seconds: secs(t0), downloadSeconds: tDl, compileSeconds: tBuild };
  } catch (e) {
    throw new TestenvBuildError(`building ${g.id} ${g.display} failed: ${(e as Error).message}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
