// A lab with eng_app's MySQL on its PV, for the persistence exercise's contract tests: the claim and
// the PV (uids, phases, the path from manifests/storage), MySQL's pod (its Deployment makes a new one
// when it is deleted, Ready `readyAfterMs` later on the test's virtual clock), `kubectl exec` running
// the exercise's SQL against a disk per node path (so rows survive what a real volume survives),
// the database's directory under a real temporary LAB_DATA_DIR, and `lab down` / `lab up` (a new
// cluster: new uids, the same names and path). It misbehaves on request (PersistenceFault).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CommandResult, HostPath, LabRelaunch } from '../../lab/exercises/mesh-ops-types.ts';
import { DATABASE, MYSQL_SCRIPT } from '../../lab/exercises/persistence-mysql.ts';
import { mysqlTarget } from '../../lab/exercises/persistence-volume.ts';
import type { ObjRef } from '../../lab/kube.ts';
import { NFS_MOUNT_PATH } from '../../lab/providers/kind-config.ts';
import { FakeMesh } from './fake-mesh.ts';
import type { VirtualClock } from './virtual-clock.ts';

export type PersistenceFault =
  | 'claim-pending' // the claim never binds (no PV matches)
  | 'write-fails' // mysql refuses the login
  | 'not-on-host' // the data directory is not the host's LAB_DATA_DIR (an unmounted node path)
  | 'delete-ignored' // deleting the pod changes nothing
  | 'never-ready' // the replacement pods never become Ready
  | 'ephemeral' // MySQL's data lives with the pod (an emptyDir), not on the volume
  | 'other-claim' // the replacement pod mounts another claim
  | 'pv-recreated' // the PV is another object after the pod's deletion (same name, same path)
  | 'purge-on-down' // lab down deletes LAB_DATA_DIR
  | 'moved-after-up' // after lab up the PV keeps its files elsewhere
  | 'up-fails' // lab up fails
  | 'drop-ignored'; // DROP DATABASE reports success and changes nothing

export interface PersistenceFakeOptions {
  clock: VirtualClock;
  /** A temporary directory standing for LAB_DATA_DIR. */
  dataDir: string;
  faults?: PersistenceFault[];
  readyAfterMs?: number;
  /** No relaunch offered (--no-relaunch). */
  noRelaunch?: boolean;
}

interface Cluster {
  gen: number;
  pvUid: string;
  pvPath: string;
  claimUid: string;
  pod: { name: string; uid: string; node: string; claim: string; readyAt: number; deleting: boolean } | null;
}

const T = () => mysqlTarget();

export class PersistenceMesh extends FakeMesh {
  /** Rows per disk: a node path, or `pod:<uid>` for an ephemeral data directory. */
  readonly disks = new Map<string, Map<string, string>>();
  cluster: Cluster | null;
  readonly downs: number[] = [];
  private seq = 0;
  private readonly has: (f: PersistenceFault) => boolean;
  readonly relaunch?: LabRelaunch;

  constructor(readonly p: PersistenceFakeOptions) {
    super();
    this.has = (f) => p.faults?.includes(f) ?? false;
    this.cluster = this.newCluster(1);
    this.cluster.pod!.readyAt = p.clock.now();
    if (!p.noRelaunch) {
      this.relaunch = {
        down: async () => {
          this.downs.push(p.clock.now());
          await p.clock.sleep(20_000);
          this.cluster = null;
          if (this.has('purge-on-down')) {
            this.disks.clear();
            rmSync(p.dataDir, { recursive: true, force: true });
          }
        },
        up: async () => {
          await p.clock.sleep(60_000);
          if (this.has('up-fails')) throw new Error('step samples: eng-app-mysql is not Ready after 300 s');
          this.cluster = this.newCluster(2);
          if (this.has('moved-after-up')) this.cluster.pvPath = `${T().nodePath}_v2`;
        },
      };
    }
  }

  private newCluster(gen: number): Cluster {
    const c: Cluster = { gen, pvUid: `pv-uid-${gen}`, pvPath: T().nodePath, claimUid: `pvc-uid-${gen}`, pod: null };
    c.pod = this.newPod(T().claim, gen);
    return c;
  }

  private newPod(claim: string, gen: number) {
    const n = ++this.seq;
    const replacement = n > 1;
    return { name: `eng-app-mysql-6d4f9b-${n}x${gen}`, uid: `pod-uid-${n}`, node: n % 2 ? 'lab-worker' : 'lab-worker5', claim, readyAt: replacement && this.has('never-ready') ? Infinity : this.p.clock.now() + (this.p.readyAfterMs ?? 4_000), deleting: false };
  }

  hostPathOf(nodePath: string): HostPath {
    return { path: path.join(this.p.dataDir, path.posix.relative(NFS_MOUNT_PATH, nodePath)) };
  }

  private podObject(): KubernetesObject | undefined {
    const c = this.cluster;
    if (!c?.pod) return undefined;
    const ready = this.p.clock.now() >= c.pod.readyAt;
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: c.pod.name, namespace: T().namespace, uid: c.pod.uid, labels: { app: 'eng-app-mysql', version: 'v1' }, creationTimestamp: new Date(1_800_000_000_000 + this.seq * 1000).toISOString() },
      spec: { nodeName: c.pod.node, containers: [{ name: T().container }], volumes: [{ name: T().volume, persistentVolumeClaim: { claimName: c.pod.claim } }] },
      status: { phase: ready ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    } as unknown as KubernetesObject;
  }

  async get(ref: ObjRef): Promise<KubernetesObject | undefined> {
    const c = this.cluster;
    if (ref.kind === 'Pod') return ref.name === c?.pod?.name ? this.podObject() : undefined;
    if (ref.kind === 'PersistentVolumeClaim' && c && ref.name === T().claim && ref.namespace === T().namespace) {
      const bound = !this.has('claim-pending');
      return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: T().claim, namespace: T().namespace, uid: c.claimUid }, spec: { volumeName: T().pv }, status: { phase: bound ? 'Bound' : 'Pending' } } as KubernetesObject;
    }
    if (ref.kind === 'PersistentVolume' && c && ref.name === T().pv) {
      const bound = !this.has('claim-pending');
      return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: T().pv, uid: c.pvUid }, spec: { claimRef: { namespace: T().namespace, name: T().claim, uid: bound ? c.claimUid : undefined }, hostPath: { path: c.pvPath } }, status: { phase: bound ? 'Bound' : 'Available' } } as KubernetesObject;
    }
    return super.get(ref);
  }

  async list(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<KubernetesObject[]> {
    if (kind !== 'Pod') return super.list(apiVersion, kind, opts);
    const p = this.podObject();
    return p && opts.namespace === T().namespace && opts.labelSelector === T().selector ? [p] : [];
  }

  async delete(ref: ObjRef): Promise<boolean> {
    const c = this.cluster;
    if (ref.kind !== 'Pod' || !c?.pod || ref.name !== c.pod.name) return super.delete(ref);
    if (this.has('delete-ignored')) return true;
    c.pod = this.newPod(this.has('other-claim') ? 'eng-app-scratch' : T().claim, c.gen);
    if (this.has('pv-recreated')) c.pvUid = `pv-uid-recreated-${this.seq}`;
    return true;
  }

  /** The disk the current pod's data directory is on. */
  private disk(): Map<string, string> {
    const c = this.cluster!;
    const where = this.has('ephemeral') ? `pod:${c.pod!.uid}` : c.pod!.claim !== T().claim ? `claim:${c.pod!.claim}` : c.pvPath;
    if (!this.disks.has(where)) this.disks.set(where, new Map());
    return this.disks.get(where)!;
  }

  private sql(sql: string): Omit<CommandResult, 'argv'> {
    if (this.has('write-fails')) return { exitCode: 1, stdout: '', stderr: "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)" };
    const rows = this.disk();
    // MySQL's database directory, on this machine unless the node's path is not LAB_DATA_DIR.
    const hostDb = this.has('not-on-host') ? undefined : path.join((this.hostPathOf(this.cluster!.pvPath) as { path: string }).path, DATABASE);
    const out: string[] = [];
    for (const stmt of sql.split(';').map((s) => s.trim()).filter(Boolean)) {
      let m: RegExpMatchArray | null;
      if (/^CREATE DATABASE/.test(stmt)) { if (hostDb) mkdirSync(hostDb, { recursive: true }); }
      else if ((m = stmt.match(/^INSERT INTO \S+ \(token, written_at\) VALUES \('([a-z0-9-]+)', NOW\(3\)\)$/))) rows.set(m[1], new Date(this.p.clock.now()).toISOString().replace('T', ' ').replace('Z', ''));
      else if ((m = stmt.match(/^SELECT token, written_at FROM \S+ WHERE token = '([a-z0-9-]+)'$/))) { if (rows.has(m[1])) out.push(`${m[1]}\t${rows.get(m[1])}`); }
      else if (/^DROP DATABASE/.test(stmt)) { if (!this.has('drop-ignored')) { rows.clear(); if (hostDb) rmSync(hostDb, { recursive: true, force: true }); } }
      else if (/^SHOW DATABASES LIKE/.test(stmt)) { if (rows.size > 0 || this.has('drop-ignored')) out.push(DATABASE); }
      else if (!/^CREATE TABLE/.test(stmt)) return { exitCode: 1, stdout: '', stderr: `ERROR 1064 (42000): You have an error in your SQL syntax near '${stmt.slice(0, 20)}'` };
    }
    return { exitCode: 0, stdout: out.map((l) => `${l}\n`).join(''), stderr: '' };
  }

  async command(tool: 'kubectl' | 'istioctl', args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CommandResult> {
    if (tool !== 'kubectl' || args[0] !== 'exec') return super.command(tool, args, opts);
    this.commanded.push([tool, ...args]);
    const answer = (r: Omit<CommandResult, 'argv'>) => ({ argv: [tool, ...args], ...r });
    const [, , ns, pod, , container, , sh, c, script, , sql] = args;
    if (ns !== T().namespace || container !== T().container || sh !== 'sh' || c !== '-c' || script !== MYSQL_SCRIPT) return answer({ exitCode: 126, stdout: '', stderr: 'unexpected command' });
    const live = this.cluster?.pod;
    if (!live || live.name !== pod) return answer({ exitCode: 1, stdout: '', stderr: `Error from server (NotFound): pods "${pod}" not found` });
    if (this.p.clock.now() < live.readyAt) return answer({ exitCode: 1, stdout: '', stderr: `error: unable to upgrade connection: container not found ("${container}")` });
    return answer(this.sql(sql));
  }
}
