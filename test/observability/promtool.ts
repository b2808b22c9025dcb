// promtool for the tests. Two of them:
// - upstream promtool, built by the testenv from Go modules (lab/versions.ts PROMTOOL): it knows
//   kubernetes_sd_configs, so it checks the configs exactly as prometheus-operator would write them;
// - Debian's (the prometheus package), built without Kubernetes service discovery: it checks the
//   static-target form the real-Prometheus tests run.
// Either missing fails the test with how to get it; nothing is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { PROMTOOL } from '../../lab/versions.ts';
import { toYaml } from '../../lab/yaml.ts';
import { requireBinary } from './real-prometheus.ts';

const BUILD_HINT = 'build it: npx tsx scripts/testenv.ts build --only promtool (make testenv does; ≈ 5 min cold)';

/** The testenv's upstream promtool, checked to be the pinned version. */
export function upstreamPromtool(): string {
  const bin = path.join(testenvBinDir(), 'promtool');
  if (!existsSync(bin)) throw new Error(`upstream promtool is not in ${testenvBinDir()} — ${BUILD_HINT}`);
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (!v.stdout.includes(`version ${PROMTOOL.prometheusVersion} `)) {
    throw new Error(`${bin} is not promtool ${PROMTOOL.prometheusVersion} (lab/versions.ts PROMTOOL): ${v.stdout.split('\n')[0]} — rebuild: npx tsx scripts/testenv.ts build --only promtool --force`);
  }
  return bin;
}

/** Debian's promtool (the prometheus package). */
export const debianPromtool = () => requireBinary('promtool');

export interface CheckResult { ok: boolean; output: string }

/** `promtool check config` on `config` written as YAML. */
export function checkConfig(promtool: string, config: unknown): CheckResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-promtool-'));
  try {
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(file, toYaml(config));
    const r = spawnSync(promtool, ['check', 'config', file], { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
