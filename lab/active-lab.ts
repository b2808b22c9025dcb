// Which lab is up (provider + name), written by the cluster step and removed by `lab down`.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The lab `up` last brought up, so `make lab-sim` then `make lab-status` talk about the same one.
 * It only replaces the defaults of provider and name; .env, environment and flags still win. */
export function activeLabFile(root: string): string {
  return path.join(root, '.lab', 'active.json');
}

export function readActiveLab(root: string): Record<string, string> {
  try {
    const doc = JSON.parse(readFileSync(activeLabFile(root), 'utf8')) as { provider?: string; clusterName?: string };
    const out: Record<string, string> = {};
    if (typeof doc.provider === 'string') out.LAB_PROVIDER = doc.provider;
    if (typeof doc.clusterName === 'string') out.LAB_CLUSTER_NAME = doc.clusterName;
    return out;
  } catch {
    return {};
  }
}
