// Offline validators built on the testenv binaries: istioctl analyze / manifest generate,
// helm template / lint, and kindcheck (kind config acceptance).
import { join } from 'node:path';
import { $ } from 'zx';
import { testenvBinDir } from './paths.ts';

export interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function run(bin: string, args: string[], binDir?: string, input?: string): Promise<ToolRun> {
  const p = await $({ quiet: true, nothrow: true, input })`${join(binDir ?? testenvBinDir(), bin)} ${args}`;
  return { exitCode: p.exitCode ?? -1, stdout: p.stdout, stderr: p.stderr };
}

export interface IstioFinding {
  /** e.g. IST0101 */
  code: string;
  /** Error | Warning | Info */
  level: string;
  message: string;
  /** "<Kind> <name>.<namespace>" as istioctl prints it (its `origin`), '' if none. */
  resource: string;
  /** file:line, when istioctl knows it. */
  reference?: string;
  documentationUrl?: string;
}

const LEVELS = ['Info', 'Warning', 'Error'];

/**
 * `istioctl analyze --use-kube=false DIR -o json` (directories are always walked recursively; the
 * `--recursive` flag is removed in 1.30 and, if given, makes istioctl print a notice and analyze
 * nothing). With `-o json` istioctl exits 0 even when it finds errors, so `exitCode` is computed the
 * way istioctl's default output mode does it: 79 if any finding is at or above `failureThreshold`
 * (default Error), else 0; if istioctl itself failed (bad path, bad flag) it is istioctl's own
 * non-zero code, findings is empty and stderr says why.
 */
export async function istioAnalyze(
  dir: string,
  opts: { binDir?: string; failureThreshold?: 'Info' | 'Warning' | 'Error'; extraArgs?: string[] } = {},
): Promise<{ exitCode: number; findings: IstioFinding[]; stderr: string }> {
  const args = ['analyze', '--use-kube=false', dir, '-o', 'json', '--color=false', ...(opts.extraArgs ?? [])];
  const r = await run('istioctl', args, opts.binDir);
  const text = r.stdout.trim();
  if (r.exitCode !== 0 || !text.startsWith('[')) {
    return { exitCode: r.exitCode || 1, findings: [], stderr: (r.stderr + (text.startsWith('[') ? '' : text)).trim() };
  }
  const findings: IstioFinding[] = (JSON.parse(text) as Record<string, string>[]).map((m) => ({
    code: m.code,
    level: m.level,
    message: m.message,
    resource: m.origin ?? '',
    reference: m.reference,
    documentationUrl: m.documentationUrl,
  }));
  const min = LEVELS.indexOf(opts.failureThreshold ?? 'Error');
  const failed = findings.some((f) => LEVELS.indexOf(f.level) >= min);
  return { exitCode: failed ? 79 : 0, findings, stderr: r.stderr };
}

/** `istioctl manifest generate ARGS` (offline); throws on a non-zero exit. Returns the YAML. */
export async function istioManifestGenerate(args: string[] = [], opts: { binDir?: string } = {}): Promise<string> {
  const r = await run('istioctl', ['manifest', 'generate', ...args], opts.binDir);
  if (r.exitCode !== 0) throw new Error(`istioctl manifest generate failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * `helm template RELEASE CHART ARGS`; throws on failure. Pass `--kube-version` to render for a
 * specific cluster version (our helm build defaults Capabilities.KubeVersion to its client-go's, v1.34).
 */
export async function helmTemplate(
  chartDir: string,
  args: string[] = [],
  opts: { binDir?: string; release?: string } = {},
): Promise<string> {
  const r = await run('helm', ['template', opts.release ?? 'lab', chartDir, ...args], opts.binDir);
  if (r.exitCode !== 0) throw new Error(`helm template ${chartDir} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** `helm lint CHART ARGS` (add '--strict' to fail on warnings); never throws. */
export async function helmLint(chartDir: string, args: string[] = [], opts: { binDir?: string } = {}): Promise<ToolRun & { ok: boolean }> {
  const r = await run('helm', ['lint', chartDir, ...args], opts.binDir);
  return { ...r, ok: r.exitCode === 0 };
}

/**
 * Would kind v0.33 accept this cluster config? (tools/kindcheck: kind's strict decode + defaults,
 * kind's validation rules, docker-provider mount rules, kubelet --node-labels rules.)
 * Pass a path, or YAML text with `{ yaml: true }`.
 */
export async function kindConfigCheck(
  fileOrYaml: string,
  opts: { binDir?: string; yaml?: boolean } = {},
): Promise<{ accepted: boolean; errors: string[]; warnings: string[]; exitCode: number }> {
  const r = opts.yaml
    ? await run('kindcheck', ['--quiet', '-'], opts.binDir, fileOrYaml)
    : await run('kindcheck', ['--quiet', fileOrYaml], opts.binDir);
  const lines = r.stderr.split('\n').filter(Boolean);
  const pick = (lvl: string) => lines.filter((l) => l.includes(`: ${lvl}: `)).map((l) => l.slice(l.indexOf(`${lvl}: `) + lvl.length + 2));
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`kindcheck failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return { accepted: r.exitCode === 0, errors: pick('error'), warnings: pick('warning'), exitCode: r.exitCode };
}

/**
 * `actionlint -oneline FILES`: GitHub Actions workflows checked against the real runner labels,
 * action inputs and expression types. shellcheck/pyflakes are off (not installed here); the
 * findings are the lines it prints. Exit 0 clean, 1 findings, other = actionlint itself failed.
 */
export async function actionlint(files: string[], opts: { binDir?: string } = {}): Promise<{ ok: boolean; findings: string[]; exitCode: number }> {
  const r = await run('actionlint', ['-oneline', '-no-color', '-shellcheck=', '-pyflakes=', ...files], opts.binDir);
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`actionlint failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  return { ok: r.exitCode === 0, findings: r.stdout.split('\n').filter(Boolean), exitCode: r.exitCode };
}
