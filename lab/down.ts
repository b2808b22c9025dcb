// `lab down`: remove the cluster the lab made (or, on an existing cluster, only the objects the lab
// created). A same-named cluster the lab did not create is refused, never deleted. LAB_DATA_DIR is
// user data: kept unless --purge, which asks first unless --yes and makes sure it can delete the
// data before it deletes the cluster (lab/purge.ts).
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { forgetActiveLab } from './active-lab.ts';
import type { LabContext } from './context.ts';
import { LabError, ToolMissingError, UsageError } from './errors.ts';
import { MANAGED_BY } from './kube-refs.ts';
import { forgetCreated, manualDelete, ownership, type Ownership } from './ownership.ts';
import { prepareDataDirForPurge, type PurgePlan } from './purge.ts';
import { uninstallLabReleases } from './charts/release.ts';

const MANAGED_SELECTOR = Object.entries(MANAGED_BY).map(([k, v]) => `${k}=${v}`).join(',');
/** Cluster-scoped kinds the lab creates on an existing cluster, deleted by label on `down`. */
const MANAGED_KINDS: Array<[string, string]> = [
  ['v1', 'PersistentVolume'],
  ['storage.k8s.io/v1', 'StorageClass'],
  ['v1', 'Namespace'],
];

export interface DownOptions {
  purge: boolean;
  confirm?: (q: string) => Promise<boolean>;
  /** Empties LAB_DATA_DIR from inside the cluster (tests inject one). */
  wipe?: () => Promise<void>;
}

export async function runDown(ctx: LabContext, opts: DownOptions): Promise<void> {
  if (opts.purge) await confirmPurge(ctx, opts.confirm ?? askOnTerminal);
  if (!ctx.provider.ownsCluster()) {
    if (opts.purge) await prepareDataDirForPurge(ctx, { canWipeInside: false, whyNot: 'the cluster is not the lab\'s' }, opts.wipe);
    await deleteManagedObjects(ctx);
  } else {
    const name = ctx.cfg.clusterName;
    const exists = await ctx.provider.exists().catch((err: unknown) => {
      if (!(err instanceof ToolMissingError)) throw err;
      ctx.log.info(`${err.tool} is not installed, so there is no ${ctx.provider.name} cluster to delete`);
      return false;
    });
    const owner = exists ? await ownership(ctx) : undefined;
    if (owner && (owner.owner === 'foreign' || owner.owner === 'unknown')) {
      throw new LabError(`refusing to delete ${ctx.provider.name} cluster ${name}: the lab did not create it (${owner.owner === 'unknown' ? `its API server does not answer (${owner.why}) and nothing in .lab/ says the lab created it` : owner.why})`, {
        detail: `Nothing was deleted. If it is yours to throw away, delete it yourself: ${manualDelete(ctx)}\nIf the lab's cluster has another name, set LAB_CLUSTER_NAME (or --name).`,
      });
    }
    if (opts.purge) await prepareDataDirForPurge(ctx, purgePlan(ctx, owner), opts.wipe);
    if (owner) {
      if (owner.owner === 'lab' && !owner.reachable) ctx.log.warn(`cluster ${name} does not answer (${owner.why}); deleting it because the lab recorded creating it on ${owner.createdAt}`);
      ctx.status.start(`Delete cluster ${name}`);
      await ctx.provider.delete();
      ctx.status.ok(`Deleted cluster ${name}`);
    } else {
      ctx.status.skip(`cluster ${name} does not exist; nothing to delete`);
    }
    forgetCreated(ctx.cfg);
  }
  forgetActiveLab(ctx.cfg);
  if (opts.purge) {
    rmSync(ctx.cfg.dataDir, { recursive: true, force: true });
    ctx.log.info(`Deleted ${ctx.cfg.dataDir}`);
  } else if (existsSync(ctx.cfg.dataDir)) {
    ctx.log.info(`Kept your data in ${ctx.cfg.dataDir} (delete it with: npm run lab -- down --purge)`);
  }
}

function purgePlan(ctx: LabContext, owner: Ownership | undefined): PurgePlan {
  if (!owner) return { canWipeInside: false, whyNot: 'the cluster does not exist any more' };
  if (owner.owner === 'lab' && !owner.reachable) return { canWipeInside: false, whyNot: `its API server does not answer (${owner.why})` };
  if (!ctx.provider.capabilities.dataPlane) return { canWipeInside: false, whyNot: `${ctx.provider.name} runs no pods` };
  return { canWipeInside: true };
}

async function deleteManagedObjects(ctx: LabContext): Promise<void> {
  ctx.status.start(`Remove what the lab created in context ${ctx.provider.contextName()}`);
  const kube = ctx.kube();
  // Helm releases first (their cluster-scoped roles would outlive the namespaces), only the lab's.
  const releases = await uninstallLabReleases(ctx);
  if (releases.length) ctx.log.info(`uninstalled the lab's Helm releases: ${releases.join(', ')} (their CRDs stay: helm never deletes CRDs)`);
  let n = 0;
  for (const [apiVersion, kind] of MANAGED_KINDS) {
    for (const o of await kube.list(apiVersion, kind, { labelSelector: MANAGED_SELECTOR })) {
      if (await kube.delete({ apiVersion, kind, name: o.metadata!.name! })) n++;
    }
  }
  // kube-system/cloud-native-lab is not touched: the existing provider never writes it, and when it
  // is there it records which lab created this cluster — not this provider's to forget.
  ctx.status.ok(`Removed ${n} lab object${n === 1 ? '' : 's'}; the cluster and everything else in it are untouched`);
}

async function confirmPurge(ctx: LabContext, confirm: (q: string) => Promise<boolean>): Promise<void> {
  const dir = ctx.cfg.dataDir;
  const home = homedir();
  if (dir === home || home.startsWith(dir + path.sep) || ctx.cfg.root.startsWith(dir + path.sep) || dir === ctx.cfg.root) {
    throw new UsageError(`refusing --purge: LAB_DATA_DIR=${dir} contains your home or the project; point LAB_DATA_DIR at a directory only the lab uses`);
  }
  if (ctx.flags.yes) return;
  if (!process.stdin.isTTY && confirm === askOnTerminal) {
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
