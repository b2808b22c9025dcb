// `lab down`: remove the cluster the lab made (or, on an existing cluster, only the objects the lab
// created). LAB_DATA_DIR is user data: kept unless --purge, which asks first unless --yes.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { activeLabFile } from './config.ts';
import type { LabContext } from './context.ts';
import { UsageError } from './errors.ts';
import { MANAGED_BY } from './kube.ts';

const MANAGED_SELECTOR = Object.entries(MANAGED_BY).map(([k, v]) => `${k}=${v}`).join(',');
/** Cluster-scoped kinds the lab creates on an existing cluster, deleted by label on `down`. */
const MANAGED_KINDS: Array<[string, string]> = [
  ['v1', 'PersistentVolume'],
  ['storage.k8s.io/v1', 'StorageClass'],
  ['v1', 'Namespace'],
];

export async function runDown(ctx: LabContext, opts: { purge: boolean; confirm?: (q: string) => Promise<boolean> }): Promise<void> {
  if (opts.purge) await confirmPurge(ctx, opts.confirm ?? askOnTerminal);
  if (ctx.provider.ownsCluster()) {
    ctx.status.start(`Delete cluster ${ctx.cfg.clusterName}`);
    if (await ctx.provider.exists()) {
      await ctx.provider.delete();
      ctx.status.ok(`Deleted cluster ${ctx.cfg.clusterName}`);
    } else {
      ctx.status.skip(`cluster ${ctx.cfg.clusterName} does not exist; nothing to delete`);
    }
  } else {
    await deleteManagedObjects(ctx);
  }
  forgetActiveLab(ctx);
  if (opts.purge) {
    rmSync(ctx.cfg.dataDir, { recursive: true, force: true });
    ctx.log.info(`Deleted ${ctx.cfg.dataDir}`);
  } else if (existsSync(ctx.cfg.dataDir)) {
    ctx.log.info(`Kept your data in ${ctx.cfg.dataDir} (delete it with: npm run lab -- down --purge)`);
  }
}

function forgetActiveLab(ctx: LabContext): void {
  const file = activeLabFile(ctx.cfg.root);
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { provider?: string; clusterName?: string };
    if (doc.provider === ctx.cfg.provider && doc.clusterName === ctx.cfg.clusterName) rmSync(file, { force: true });
  } catch {
    // no active lab recorded
  }
}

async function deleteManagedObjects(ctx: LabContext): Promise<void> {
  ctx.status.start(`Remove what the lab created in context ${ctx.provider.contextName()}`);
  const kube = ctx.kube();
  let n = 0;
  for (const [apiVersion, kind] of MANAGED_KINDS) {
    for (const o of await kube.list(apiVersion, kind, { labelSelector: MANAGED_SELECTOR })) {
      if (await kube.delete({ apiVersion, kind, name: o.metadata!.name! })) n++;
    }
  }
  await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'cloud-native-lab' });
  ctx.status.ok(`Removed ${n} lab object${n === 1 ? '' : 's'}; the cluster and everything else in it are untouched`);
}

async function confirmPurge(ctx: LabContext, confirm: (q: string) => Promise<boolean>): Promise<void> {
  const dir = ctx.cfg.dataDir;
  const home = homedir();
  if (dir === home || home.startsWith(dir + path.sep) || ctx.cfg.root.startsWith(dir + path.sep) || dir === ctx.cfg.root) {
    throw new UsageError(`refusing --purge: LAB_DATA_DIR=${dir} contains your home or the project; point LAB_DATA_DIR at a directory only the lab uses`);
  }
  if (ctx.flags.yes) return;
  if (!process.stdin.isTTY && !ctx.flags.yes && confirm === askOnTerminal) {
    throw new UsageError(`--purge would delete ${dir}; there is no terminal to ask, so add --yes to confirm`);
  }
  if (!(await confirm(`Delete ${dir} and everything in it? [y/N] `))) {
    throw new UsageError('purge cancelled; nothing was deleted');
  }
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
