// Shared test helpers: a config from a temp project, and a LabContext with a recording runner.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type LabConfig } from '../lab/config.ts';
import { createContext, type LabContext, type LabFlags } from '../lab/context.ts';
import { memoryOutput } from '../lab/log.ts';
import { RecordingRunner } from '../lab/run.ts';

export const REPO = path.resolve(import.meta.dirname, '..');
/** The `lab` command as `npm run lab` runs it: node + scripts/lab.mjs (the compiled CLI). */
export const LAB_NODE = process.execPath;
export const LAB_MJS = path.join(REPO, 'scripts', 'lab.mjs');

export function tempDir(prefix = 'lab-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Config for a fresh temp project; `env` holds LAB_* settings as a user would set them. */
export function testConfig(env: Record<string, string> = {}, root = tempDir()): LabConfig {
  return loadConfig({ root, env: { ...env }, envFile: path.join(root, '.env') });
}

export function testContext(cfg: LabConfig, flags: Partial<LabFlags> = {}, runner = new RecordingRunner()) {
  const out = memoryOutput();
  const ctx: LabContext = createContext({ cfg, log: out.log, status: out.status, run: runner, flags });
  return { ctx, runner, lines: out.lines };
}
