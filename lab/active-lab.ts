// Which lab is up (provider + name), written by the cluster step and removed by `lab down`.
// It lets `make lab-sim` then `make lab-status` / `make lab-down` / an exercise talk about the same
// lab. It never chooses what `up` creates: `up`, `plan` and `doctor` read only .env, the
// environment and flags, and say so when another lab is up.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KEYS } from './config-keys.ts';

export interface ActiveLab {
  provider: string;
  clusterName: string;
}

export function activeLabFile(root: string): string {
  return path.join(root, '.lab', 'active.json');
}

export function readActive(root: string): ActiveLab | undefined {
  try {
    const doc = JSON.parse(readFileSync(activeLabFile(root), 'utf8')) as Partial<ActiveLab>;
    return typeof doc.provider === 'string' && typeof doc.clusterName === 'string' ? { provider: doc.provider, clusterName: doc.clusterName } : undefined;
  } catch {
    return undefined;
  }
}

/** The record as setting defaults (LAB_PROVIDER, LAB_CLUSTER_NAME); .env, environment and flags win. */
export function readActiveLab(root: string): Record<string, string> {
  const a = readActive(root);
  return a ? { LAB_PROVIDER: a.provider, LAB_CLUSTER_NAME: a.clusterName } : {};
}

export function rememberActiveLab(cfg: { root: string; provider: string; clusterName: string }): void {
  const file = activeLabFile(cfg.root);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ provider: cfg.provider, clusterName: cfg.clusterName })}\n`);
}

/** Forget the record if it names this lab. */
export function forgetActiveLab(cfg: { root: string; provider: string; clusterName: string }): void {
  const a = readActive(cfg.root);
  if (a && a.provider === cfg.provider && a.clusterName === cfg.clusterName) rmSync(activeLabFile(cfg.root), { force: true });
}

/** "Another lab is up" note for `up`/`plan` when the record names a different lab than the settings. */
export function otherActiveLab(cfg: { root: string; provider: string; clusterName: string }): string | undefined {
  const a = readActive(cfg.root);
  if (!a || (a.provider === cfg.provider && a.clusterName === cfg.clusterName)) return undefined;
  return `another lab is up in this project: ${a.provider} cluster ${a.clusterName} (stop it with: npm run lab -- down --provider ${a.provider} --name ${a.clusterName}). This command uses LAB_PROVIDER=${cfg.provider}, cluster ${cfg.clusterName}.`;
}

/** The `lab up` that reconciles this lab: with --provider/--name when they are not the defaults
 * (after `make lab-sim`, a bare `npm run lab -- up` means kind). */
export function upCommandFor(cfg: { provider: string; clusterName: string }): string {
  const def = (key: string) => KEYS.find((k) => k.key === key)?.def;
  const flags = [
    ...(cfg.provider !== def('LAB_PROVIDER') ? [`--provider ${cfg.provider}`] : []),
    ...(cfg.clusterName !== def('LAB_CLUSTER_NAME') ? [`--name ${cfg.clusterName}`] : []),
  ];
  return ['npm run lab -- up', ...flags].join(' ');
}
