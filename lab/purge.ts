// `down --purge` without failing halfway. Pods write LAB_DATA_DIR as other users (MySQL as uid 999
// and it chowns its data directory; the NFS server as root); with rootful Docker those files keep
// that owner on the host and you cannot delete them. So, before the cluster is deleted:
//   1. if the host copy is deletable by you: nothing to do;
//   2. else, if the cluster answers and runs pods: stop what writes there (the namespaces that use
//      the lab's volumes), then empty the directory from inside, as root, with a Job;
//   3. if it is still not deletable: stop, delete nothing, and print the exact command.
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import { waitJobComplete } from './conditions.ts';
import { NODEGROUP_LABEL } from './config-keys.ts';
import type { LabContext } from './context.ts';
import { undeletable } from './data-dir.ts';
import { LabError } from './errors.ts';
import { MANAGED_BY } from './kube-refs.ts';
import { NFS_MOUNT_PATH } from './providers/kind-config.ts';
import { labVolumes, NFS_NAMESPACE } from './steps/storage-objects.ts';
import { UTILITY_IMAGE } from './versions.ts';

export const WIPE_JOB = { namespace: 'kube-system', name: 'cloud-native-lab-purge' };

/** Namespaces whose pods write to LAB_DATA_DIR: the claims' and the NFS server's. */
export function writerNamespaces(): string[] {
  return [...new Set([...labVolumes().map((v) => v.claim.namespace), NFS_NAMESPACE])];
}

/** A root Job on an app node (where the volumes' pods ran) that empties /opt/nfs — the node's view
 * of LAB_DATA_DIR — or one volume's directory in it. */
export function wipeJob(subdir = ''): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: WIPE_JOB.name, namespace: WIPE_JOB.namespace, labels: { ...MANAGED_BY } },
    spec: {
      backoffLimit: 2,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: { ...MANAGED_BY, 'sidecar.istio.io/inject': 'false' } },
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { [NODEGROUP_LABEL]: 'app' },
          containers: [
            {
              name: 'empty-data-dir',
              image: UTILITY_IMAGE,
              // Plain sh + rm (no find -delete: not every busybox build has it); a glob with no match stays
              // literal and rm -f ignores it.
              command: ['sh', '-c', 'cd /data && rm -rf -- * .[!.]* ..?*'],
              securityContext: { runAsUser: 0, runAsGroup: 0 },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', hostPath: { path: subdir ? `${NFS_MOUNT_PATH}/${subdir}` : NFS_MOUNT_PATH, type: 'Directory' } }],
        },
      },
    },
  };
}

async function stopWriters(ctx: LabContext, namespaces: string[], timeoutMs: number): Promise<void> {
  const kube = ctx.kube();
  for (const ns of namespaces) await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left: V1Pod[] = [];
    for (const ns of namespaces) left.push(...(await kube.list<V1Pod>('v1', 'Pod', { namespace: ns })));
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new LabError(`pods still running after ${timeoutMs / 1000}s: ${left.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Stop the pods that write there (their namespaces go), then empty the directory as root. */
export async function emptyFromInside(ctx: LabContext, o: { subdir?: string; namespaces?: string[]; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 180_000;
  await stopWriters(ctx, o.namespaces ?? writerNamespaces(), timeoutMs);
  const kube = ctx.kube();
  await kube.deleteAndWait({ apiVersion: 'batch/v1', kind: 'Job', ...WIPE_JOB }, 60_000);
  await kube.apply([wipeJob(o.subdir) as KubernetesObject]);
  await waitJobComplete(kube, WIPE_JOB.namespace, WIPE_JOB.name, timeoutMs, { report: (l) => ctx.log.warn(l) });
}

export interface PurgePlan {
  /** The cluster answers and runs pods, so it can empty the directory itself. */
  canWipeInside: boolean;
  /** Why it cannot, for the message. */
  whyNot?: string;
}

/**
 * Makes LAB_DATA_DIR deletable by the user, or throws before anything is deleted.
 * `wipe` is emptyFromInside (injected so tests can give a failing or a working one).
 */
export async function prepareDataDirForPurge(
  ctx: LabContext,
  plan: PurgePlan,
  wipe: () => Promise<void> = () => emptyFromInside(ctx),
  check: (dir: string) => string[] = undeletable,
): Promise<void> {
  const dir = ctx.cfg.dataDir;
  let blocked = check(dir);
  if (blocked.length === 0) return;
  let wipeError: string | undefined;
  if (plan.canWipeInside) {
    ctx.status.start(`Empty ${dir} from inside the cluster (files written by pods as other users: ${blocked.join(', ')})`);
    try {
      await wipe();
      ctx.status.ok(`Emptied ${dir} from inside the cluster`);
    } catch (err) {
      ctx.status.fail(`Could not empty ${dir} from inside the cluster`);
      wipeError = (err as Error).message;
    }
    blocked = check(dir);
    if (blocked.length === 0) return;
  }
  throw new LabError(`--purge stopped before deleting anything: you cannot delete ${blocked.join(', ')} (written by pods as another user, e.g. MySQL as uid 999 through a rootful Docker)`, {
    detail: [
      plan.canWipeInside ? `emptying it from inside the cluster did not work${wipeError ? `: ${wipeError}` : ''}` : `the lab cannot empty it from inside the cluster: ${plan.whyNot}`,
      'Delete the data yourself, then run the purge again:',
      `  sudo rm -rf ${shellQuote(dir)}`,
      '  npm run lab -- down --purge --yes',
    ].join('\n'),
  });
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
