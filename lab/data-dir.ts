// LAB_DATA_DIR on the host: created (owned by you) before any cluster mounts it, checked to be
// writable by you, and — for `down --purge` — checked to be deletable by you before anything is
// deleted. Pods write into it as other users (MySQL as uid 999, the NFS server as root), and with
// rootful Docker those files keep that owner on the host.
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from './config.ts';
import { labVolumes } from './steps/storage-objects.ts';

/** The host directories the lab's volumes live in (one per PV). */
export function volumeDirs(dataDir: string): string[] {
  return labVolumes().map((v) => path.join(dataDir, v.dir));
}

/** mkdir -p LAB_DATA_DIR and every volume directory, as the user running the lab. */
export function ensureDataDirs(cfg: Pick<LabConfig, 'dataDir'>): void {
  for (const dir of volumeDirs(cfg.dataDir)) mkdirSync(dir, { recursive: true });
}

const canWrite = (p: string) => {
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Why the user cannot use LAB_DATA_DIR, or undefined. A directory that does not exist yet is fine
 * if its nearest existing parent is writable (the lab creates it); one that exists must be
 * writable, and so must each volume directory in it.
 */
export function dataDirProblem(dataDir: string): string | undefined {
  if (!existsSync(dataDir)) {
    let parent = path.dirname(dataDir);
    while (!existsSync(parent) && parent !== path.dirname(parent)) parent = path.dirname(parent);
    return canWrite(parent) ? undefined : `${dataDir} does not exist and you cannot create it in ${parent}`;
  }
  const bad = [dataDir, ...volumeDirs(dataDir).filter((d) => existsSync(d))].filter((d) => !canWrite(d));
  return bad.length ? `you cannot write to ${bad.join(', ')} (created by another user, e.g. root by a rootful Docker)` : undefined;
}

/**
 * Paths under `dir` that the user cannot delete: a directory whose entries cannot be removed
 * (no write + search permission) or cannot be listed. At most `limit` of them.
 */
export function undeletable(dir: string, limit = 5): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (out.length >= limit) return;
    let entries: string[];
    try {
      accessSync(d, constants.R_OK | constants.W_OK | constants.X_OK);
      entries = readdirSync(d);
    } catch {
      // Its entries cannot be listed or removed; the directory itself can go only once it is empty.
      if (readdirSafe(d) !== 0) out.push(d);
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e);
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Number of entries, or -1 if they cannot be listed. */
function readdirSafe(d: string): number {
  try {
    return readdirSync(d).length;
  } catch {
    return -1;
  }
}
