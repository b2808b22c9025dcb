// Thin helpers around the `go` command for the testenv builder.
import { readFile } from 'node:fs/promises';
import { $ } from 'zx';

/** Environment for every go invocation: local toolchain only, static binaries, no workspace. */
export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOWORK: 'off',
    GOFLAGS: '-buildvcs=false',
    ...extra,
  };
}

export class GoError extends Error {}

/** Runs `go <args>` in `cwd`; throws GoError with the tail of stderr on failure. */
export async function go(args: string[], cwd: string, verbose = false): Promise<string> {
  const p = await $({ cwd, env: goEnv(), quiet: !verbose, nothrow: true })`go ${args}`;
  if (p.exitCode !== 0) {
    const tail = p.stderr.trim().split('\n').slice(-25).join('\n');
    throw new GoError(`go ${args.slice(0, 3).join(' ')} … failed (exit ${p.exitCode}) in ${cwd}:\n${tail}`);
  }
  return p.stdout;
}

export async function goVersion(): Promise<string> {
  const p = await $({ env: goEnv(), quiet: true, nothrow: true })`go env GOVERSION`;
  if (p.exitCode !== 0) throw new GoError('`go` is not on PATH (Go >= 1.26 is needed to build the test environment)');
  return p.stdout.trim();
}

export interface ModInfo {
  Path: string;
  Version: string;
  Dir: string;
  GoMod: string;
}

/** `go mod download -json mod@version` (fills the module cache; works outside any module). */
export async function modDownload(mod: string, version: string, cwd: string): Promise<ModInfo> {
  const out = await go(['mod', 'download', '-json', `${mod}@${version}`], cwd);
  const info = JSON.parse(out) as ModInfo & { Error?: string };
  if (info.Error) throw new GoError(`go mod download ${mod}@${version}: ${info.Error}`);
  return info;
}

/** The `go` and `godebug` lines of a go.mod, so a wrapper module keeps upstream's language/GODEBUG defaults. */
export function goDirectives(goMod: string): string[] {
  const lines: string[] = [];
  const goLine = goMod.match(/^go\s+(\S+)/m);
  if (goLine) lines.push(`go ${goLine[1]}`);
  for (const m of goMod.matchAll(/^godebug\s+(\S+=\S+)/gm)) lines.push(`godebug ${m[1]}`);
  const block = goMod.match(/^godebug\s*\(([^)]*)\)/m);
  if (block) for (const l of block[1].split('\n').map((s) => s.trim()).filter(Boolean)) lines.push(`godebug ${l}`);
  return lines;
}

/** Modules that a go.mod replaces with a directory under ./staging (k8s.io/kubernetes). */
export function stagingModules(goMod: string): string[] {
  return [...goMod.matchAll(/^\s*(\S+)\s*=>\s*\.\/staging\/\S+\s*$/gm)].map((m) => m[1]);
}

/** A module's required version of `dep` in a go.mod text, or undefined. */
export function requiredVersion(goMod: string, dep: string): string | undefined {
  const esc = dep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return goMod.match(new RegExp(`^\\s*(?:require\\s+)?${esc}\\s+(v\\S+)`, 'm'))?.[1];
}

export async function readGoMod(info: ModInfo): Promise<string> {
  return readFile(info.GoMod, 'utf8');
}
