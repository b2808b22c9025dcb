// A stand-in Argo CD over the fake mesh, for the gitops exercise's contract tests, reading a real
// git repository (Debian's git, in a temp dir) the way the real one reads the lab's: every tick of
// the virtual clock it reconciles Application sock-shop — at a refresh request (the
// argocd.argoproj.io/refresh annotation, which it removes) or every POLL_MS it resolves main and
// reads front-end's replicas from sock-shop/front-end.yaml at that commit; with automated sync on
// (spec.syncPolicy.automated, enabled not false) it syncs a new revision, and with selfHeal it puts
// back a live change SELF_HEAL_MS after it saw it (Argo CD's first self-heal backoff). It stamps
// status.reconciledAt, sync {status, revision} and health. It misbehaves on request (Fault), and
// `kubectl scale` is scripted against its Deployment. Its async git work is awaited by `settled()`,
// which the run's clock calls after every sleep.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { APPLICATION_API, ARGOCD_NAMESPACE } from '../../lab/gitops/auto-sync.ts';
import { GitopsPusher } from '../../lab/gitops/pusher.ts';
import { GitopsGit, gitopsRepo } from '../../lab/gitops/repo.ts';
import type { ObjRef } from '../../lab/kube.ts';
import type { Clock } from '../../lab/exercises/clock.ts';
import { FRONT_END, FRONT_END_FILE } from '../../lab/exercises/gitops-act.ts';
import { REFRESH_ANNOTATION } from '../../lab/gitops/app-status.ts';
import type { GitopsOps } from '../../lab/exercises/mesh-ops-types.ts';
import { ZxRunner } from '../../lab/run.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { REPO } from '../helpers.ts';
import { FakeMesh } from './fake-mesh.ts';
import type { VirtualClock } from './virtual-clock.ts';

const exec = promisify(execFile);
export const ORDER = ['root', 'app', 'infra', 'sock-shop', 'eng-app', 'istio-telemetry'];
export const TICK_MS = 1_000;
export const POLL_MS = 120_000;
export const SELF_HEAL_MS = 2_000;

export type ArgoFault =
  /** No controller: no Application ever gets a status. */
  | 'no-controller'
  /** Sees new revisions but never syncs them (OutOfSync forever). */
  | 'never-syncs'
  /** Reports Synced at the new revision without changing the cluster. */
  | 'false-synced'
  /** Never puts back a live change (selfHeal off). */
  | 'no-self-heal'
  /** Ignores refresh requests: only its poll finds a commit (too late for the deadline). */
  | 'ignores-refresh'
  /** Syncs while automated sync is paused. */
  | 'ignores-pause'
  /** Everything synced, but the Application stays Degraded. */
  | 'degraded'
  /** `kubectl scale` exits 0 and changes nothing. */
  | 'scale-lost'
  /** Merge patches of Applications fail. */
  | 'patch-fails';

type App = KubernetesObject & { spec: { syncPolicy?: { automated?: { enabled?: boolean | null; selfHeal?: boolean } } }; status?: Record<string, unknown> };

function mergeJson(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeJson(out[k], v);
  }
  return out;
}

const appKey = (name: string) => `Application/${ARGOCD_NAMESPACE}/${name}`;

export class ArgoMesh extends FakeMesh {
  readonly root = mkdtempSync(path.join(tmpdir(), 'lab-fake-argocd-'));
  readonly gitDir: string;
  readonly gitops: GitopsOps;
  /** Every Application merge patch, as "name: JSON". */
  readonly patches: string[] = [];
  private pending: Promise<void>[] = [];
  private lastPoll = -Infinity;
  private known: { revision: string; replicas: number } | undefined;
  private driftSince: number | undefined;
  private untick: () => void = () => undefined;
  /** Reconciles run one after another, as the controller's work queue does for one Application. */
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly clock: VirtualClock, readonly fault?: ArgoFault) {
    super({ commands: (tool, args) => this.scripted(tool, args) });
    const work = path.join(this.root, 'manifests');
    cpSync(path.join(REPO, 'manifests', 'sock-shop'), path.join(work, 'sock-shop'), { recursive: true });
    this.gitDir = gitopsRepo({ dataDir: path.join(this.root, 'data') }, work).gitDir;
    const dep = renderSockShop().find((o) => o.kind === 'Deployment' && o.metadata?.name === FRONT_END.name)!;
    void super.apply([structuredClone(dep)]);
    for (const name of ORDER) {
      const app: App = { apiVersion: APPLICATION_API, kind: 'Application', metadata: { name, namespace: ARGOCD_NAMESPACE }, spec: { syncPolicy: { automated: { selfHeal: true } } } };
      this.objects.set(appKey(name), app);
    }
    this.applies.length = 0;
    this.gitops = {
      repo: new GitopsPusher(this.gitDir, new ZxRunner()),
      applications: { get: (ref) => this.get(ref), mergePatch: (ref, p) => this.mergePatch(ref, p) },
      order: ORDER,
    };
  }

  /** Create the repository (one commit of the copied manifests) and start reconciling. */
  async start(): Promise<this> {
    await new GitopsGit(gitopsRepo({ dataDir: path.join(this.root, 'data') }, path.join(this.root, 'manifests')), new ZxRunner()).ensure('lab: initial');
    if (this.fault === 'no-controller') return this;
    this.untick = this.clock.every(TICK_MS, () => this.pending.push((this.chain = this.chain.then(() => this.reconcile()))));
    await this.reconcile();
    return this;
  }

  async stop(): Promise<void> {
    this.untick();
    await this.settled();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Until every reconcile started so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
  }

  /** The clock to hand the exercise: its sleeps wait for this controller's work. */
  runClock(): Clock {
    return { now: () => this.clock.now(), sleep: async (ms) => { await this.clock.sleep(ms); await this.settled(); } };
  }

  app(name: string): App {
    return this.objects.get(appKey(name)) as App;
  }

  async mergePatch(ref: ObjRef, patch: Record<string, unknown>): Promise<unknown> {
    if (this.fault === 'patch-fails') throw new Error(`the fake Argo CD refuses patches of ${ref.name}`);
    const before = this.objects.get(appKey(ref.name));
    if (!before || ref.kind !== 'Application') throw new Error(`${ref.kind} ${ref.name} not found`);
    this.patches.push(`${ref.name}: ${JSON.stringify(patch)}`);
    const after = mergeJson(before, patch) as App;
    this.objects.set(appKey(ref.name), after);
    return structuredClone(after);
  }

  private liveReplicas(): number {
    return ((this.objects.get(`Deployment/${FRONT_END.namespace}/${FRONT_END.name}`) as { spec: { replicas: number } }).spec.replicas);
  }

  private async setReplicas(n: number): Promise<void> {
    const dep = structuredClone(this.objects.get(`Deployment/${FRONT_END.namespace}/${FRONT_END.name}`)!) as { spec: { replicas: number } } & KubernetesObject;
    dep.spec.replicas = n;
    await super.apply([dep]);
  }

  private scripted(tool: string, args: string[]) {
    const m = tool === 'kubectl' && args[0] === 'scale' ? /^--replicas=(\d+)$/.exec(args.at(-1) ?? '') : null;
    if (!m) return undefined;
    if (this.fault !== 'scale-lost') this.pending.push(this.setReplicas(Number(m[1])));
    return { exitCode: 0, stdout: `deployment.apps/${FRONT_END.name} scaled\n`, stderr: '' };
  }

  private async readGit(): Promise<{ revision: string; replicas: number }> {
    const git = (args: string[]) => exec('git', ['--git-dir', this.gitDir, ...args]).then((r) => r.stdout.trim());
    const revision = await git(['rev-parse', 'refs/heads/main']);
    const docs = (await git(['show', `${revision}:${FRONT_END_FILE}`])).split(/^---$/m).map((d) => parse(d) as { kind?: string; spec?: { replicas?: number } } | null);
    return { revision, replicas: docs.find((d) => d?.kind === 'Deployment')?.spec?.replicas ?? 1 };
  }

  private async reconcile(): Promise<void> {
    const app = this.app('sock-shop');
    const now = this.clock.now();
    const refresh = app.metadata?.annotations?.[REFRESH_ANNOTATION] !== undefined && this.fault !== 'ignores-refresh';
    if (refresh || now - this.lastPoll >= POLL_MS || !this.known) {
      this.lastPoll = now;
      this.known = await this.readGit();
      if (refresh) delete app.metadata!.annotations![REFRESH_ANNOTATION];
    }
    const automated = app.spec.syncPolicy?.automated;
    const on = (automated && automated.enabled !== false) || this.fault === 'ignores-pause';
    const status = (app.status ?? {}) as { sync?: { revision?: string; status?: string } };
    const synced = status.sync?.revision === this.known.revision;
    const live = this.liveReplicas();
    if (!synced && on && this.fault !== 'never-syncs') {
      if (this.fault !== 'false-synced') await this.setReplicas(this.known.replicas);
      status.sync = { revision: this.known.revision, status: 'Synced' };
      this.driftSince = undefined;
    } else if (synced && live !== this.known.replicas && this.fault !== 'false-synced') {
      this.driftSince ??= now;
      const heal = on && (automated?.selfHeal ?? false) && this.fault !== 'no-self-heal';
      const healed = heal && now - this.driftSince >= SELF_HEAL_MS;
      if (healed) {
        await this.setReplicas(this.known.replicas);
        this.driftSince = undefined;
      }
      status.sync = { revision: status.sync!.revision, status: healed ? 'Synced' : 'OutOfSync' };
    } else if (!synced) {
      status.sync = { revision: status.sync?.revision, status: 'OutOfSync' };
    }
    app.status = { ...status, health: { status: this.fault === 'degraded' ? 'Degraded' : 'Healthy' }, reconciledAt: new Date(now).toISOString() };
  }
}
