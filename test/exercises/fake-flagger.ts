// An in-memory Flagger over the fake mesh, for the canary exercise's contract tests: a mesh that
// also holds sock-shop's front-end (Deployments front-end and front-end-v2, Service front-end) and
// Flagger's Canary CRD, and a controller that runs Flagger's state machine one "interval" per tick
// (as fluxcd/flagger@v1.44.0 pkg/controller/scheduler.go does): Initializing → Initialized, a
// template change → Progressing, the first weight without a check, then one check per tick —
// advance by stepWeight, promote at maxWeight (Promoting, Finalising, Succeeded), or count a failed
// check and roll back once `threshold` are counted (Failed, weight 0, failedChecks reset). Its
// "metrics" are what the real ones would be: a front-end started with --domain=… cannot reach its
// backends and fails every check. It can misbehave in every way the exercise must notice (Fault).
import { randomUUID } from 'node:crypto';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import type { ObjRef } from '../../lab/kube.ts';
import { CANARY_CRD_REF, PRIMARY, PRIMARY_REF, SELECTOR_LABEL, SERVICE_REF, TARGET, TARGET_REF, type CanaryObject } from '../../lab/exercises/canary-spec.ts';
import { flaggerObjects, flaggerVirtualService } from '../../lab/exercises/canary-routing.ts';
import { LAB_VS_REF } from '../../lab/exercises/canary-spec.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { FakeMesh } from './fake-mesh.ts';
import { FLUX_OFF, PROMOTED, type FakeFlaggerOptions } from './fake-flagger-faults.ts';

export type { Fault, FakeFlaggerOptions } from './fake-flagger-faults.ts';

const key = (r: ObjRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
const CANARY_KEY = `Canary/sock-shop/${TARGET}`;
const templateHash = (d: KubernetesObject | undefined) => JSON.stringify((d as V1Deployment | undefined)?.spec?.template ?? null);

interface Status {
  phase?: string;
  canaryWeight?: number;
  failedChecks?: number;
  iterations?: number;
  lastAppliedSpec?: string;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
}


export class FlaggerMesh extends FakeMesh {
  private timer: NodeJS.Timeout | undefined;
  private untick: (() => void) | undefined;
  private ticks = 0;
  /** Every phase the controller set, in order. */
  readonly phases: string[] = [];

  constructor(readonly f: FakeFlaggerOptions = {}) {
    super(f);
    const wanted = new Set([key(TARGET_REF), key(SERVICE_REF), 'Deployment/sock-shop/front-end-v2']);
    for (const o of renderSockShop().filter((x) => wanted.has(key({ apiVersion: x.apiVersion!, kind: x.kind!, name: x.metadata!.name!, namespace: x.metadata?.namespace })))) {
      void super.apply([structuredClone(o)]);
    }
    if (!f.noCrd) this.objects.set(key(CANARY_CRD_REF), { apiVersion: CANARY_CRD_REF.apiVersion, kind: CANARY_CRD_REF.kind, metadata: { name: CANARY_CRD_REF.name } });
    this.applies.length = 0;
  }

  async start(): Promise<this> {
    await super.start();
    if (this.f.clock) {
      this.untick = this.f.clock.every(this.f.tickMs ?? 20, () => this.tick());
    } else {
      this.timer = setInterval(() => this.tick(), this.f.tickMs ?? 20);
      this.timer.unref();
    }
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.untick?.();
    await super.stop();
  }

  /** As server-side apply does: the Canary's status and Flagger's finalizer are not the applier's to change. */
  async apply(objs: KubernetesObject[]): Promise<void> {
    for (const o of objs) {
      const before = o.kind === 'Canary' ? this.objects.get(CANARY_KEY) : undefined;
      await super.apply([o]);
      if (!before) continue;
      const now = this.objects.get(CANARY_KEY)!;
      (now as { status?: unknown }).status = (before as { status?: unknown }).status;
      now.metadata!.finalizers = before.metadata?.finalizers;
      now.metadata!.deletionTimestamp = before.metadata?.deletionTimestamp;
    }
  }

  /** A Canary with a finalizer is only marked; the controller finalises it (revertOnDeletion). */
  async delete(ref: ObjRef): Promise<boolean> {
    const o = this.objects.get(key(ref));
    if (o?.kind === 'Canary' && (o.metadata?.finalizers?.length ?? 0) > 0) {
      (o.metadata as { deletionTimestamp?: string }).deletionTimestamp = new Date().toISOString();
      return true;
    }
    return super.delete(ref);
  }

  private obj<T extends KubernetesObject>(r: ObjRef): T | undefined {
    return this.objects.get(key(r)) as T | undefined;
  }

  private write(o: KubernetesObject): void {
    void super.apply([o]);
  }

  private setStatus(cd: KubernetesObject, s: Status): void {
    const st = { ...((cd as { status?: Status }).status ?? {}), ...s };
    if (s.phase) {
      this.phases.push(s.phase);
      if (this.f.fault !== 'no-promoted-condition') {
        const [status, message] = PROMOTED[s.phase] ?? ['Unknown', ''];
        st.conditions = [{ type: 'Promoted', status, reason: s.phase, message }];
      }
    }
    (cd as { status?: Status }).status = st;
  }

  private scaleTarget(replicas: number): void {
    const t = structuredClone(this.obj<V1Deployment>(TARGET_REF)!);
    if (t.spec!.replicas === replicas) return;
    t.spec!.replicas = replicas;
    this.write(t);
  }

  private setRoutes(cd: CanaryObject, primary: number, canary: number): void {
    const vs = structuredClone(this.obj(LAB_VS_REF)!) as KubernetesObject & { spec: unknown };
    vs.spec = (flaggerVirtualService(cd, primary, canary) as KubernetesObject & { spec: unknown }).spec;
    this.write(vs);
  }

  /** What the canary's metrics would say: false when front-end was started with --domain=… */
  private healthy(): boolean {
    if (this.f.fault === 'promotes-faulty') return true;
    if (this.f.fault === 'rolls-back-healthy') return false;
    const containers = this.obj<V1Deployment>(TARGET_REF)?.spec?.template.spec?.containers ?? [];
    return !containers.some((c) => [...(c.command ?? []), ...(c.args ?? [])].some((a) => a.startsWith('--domain=')));
  }

  private tick(): void {
    this.ticks++;
    const cd = this.objects.get(CANARY_KEY) as CanaryObject | undefined;
    if (!cd || this.f.fault === 'never-answers') return;
    if (cd.metadata?.deletionTimestamp) return this.finalize(cd);
    if (cd.spec.suspend) return;
    const st = ((cd as { status?: Status }).status ?? {}) as Status;
    const a = cd.spec.analysis;
    if (!st.phase) {
      cd.metadata!.finalizers = cd.spec.revertOnDeletion ? ['finalizer.flagger.app'] : [];
      return this.setStatus(cd, { phase: 'Initializing', canaryWeight: 0, failedChecks: 0 });
    }
    if (st.phase === 'Initializing') return this.f.fault === 'never-initializes' ? undefined : this.initialize(cd);
    if (['Initialized', 'Succeeded', 'Failed'].includes(st.phase)) {
      const h = templateHash(this.obj(TARGET_REF));
      if (h !== st.lastAppliedSpec && this.f.fault !== 'never-progresses') {
        this.scaleTarget(1);
        this.setStatus(cd, { phase: 'Progressing', canaryWeight: 0, failedChecks: 0, iterations: 0, lastAppliedSpec: h });
      }
      return;
    }
    if (this.f.fault === 'slow' && this.ticks % (this.f.slowFactor ?? 10) !== 0) return;
    const weight = st.canaryWeight ?? 0;
    if (st.phase === 'Progressing') {
      if ((st.iterations ?? 0) === 0) {
        if (this.f.fault === 'rolls-back-at-zero' && !this.healthy()) {
          // checks at weight 0 (which Flagger never runs), failing until the threshold
          if ((st.failedChecks ?? 0) >= a.threshold) return this.rollback(cd);
          return this.setStatus(cd, { failedChecks: (st.failedChecks ?? 0) + 1 });
        }
        const next = this.f.fault === 'jumps-to-max' ? a.maxWeight : a.stepWeight;
        this.setRoutes(cd, 100 - next, next);
        return this.setStatus(cd, { canaryWeight: next, iterations: 1 });
      }
      if (this.f.fault === 'stalls') return;
      if ((st.failedChecks ?? 0) >= a.threshold) return this.rollback(cd);
      if (!this.healthy()) return this.setStatus(cd, { failedChecks: (st.failedChecks ?? 0) + 1 });
      if (weight < a.maxWeight) {
        const next = this.f.fault === 'jumps-to-max' ? a.maxWeight : Math.min(100, weight + a.stepWeight);
        this.setRoutes(cd, 100 - next, next);
        return this.setStatus(cd, { canaryWeight: next, iterations: (st.iterations ?? 0) + 1 });
      }
      this.promote();
      return this.setStatus(cd, { phase: 'Promoting' });
    }
    if (st.phase === 'Promoting') {
      this.setRoutes(cd, 100, 0);
      return this.setStatus(cd, { phase: 'Finalising', canaryWeight: 0 });
    }
    if (st.phase === 'Finalising') {
      this.scaleTarget(0);
      return this.setStatus(cd, { phase: 'Succeeded', canaryWeight: 0 });
    }
  }

  private initialize(cd: CanaryObject): void {
    const target = this.obj(TARGET_REF)!;
    const owner = [{ apiVersion: cd.apiVersion!, kind: 'Canary', name: TARGET, uid: cd.metadata!.uid!, controller: true }];
    for (const o of flaggerObjects(cd, target, this.obj(SERVICE_REF)!)) {
      if (o.kind === 'VirtualService') continue;
      if (o.metadata!.name === TARGET) {
        // the lab's Service, rewritten in place, with Flagger's "not Flux's to reconcile" annotations
        if (this.f.fault !== 'no-takeover') this.write({ ...o, metadata: { ...o.metadata, annotations: { ...o.metadata?.annotations, ...FLUX_OFF } } } as KubernetesObject);
      }
      else this.write({ ...o, metadata: { ...o.metadata, ownerReferences: owner } } as KubernetesObject);
    }
    const primary = structuredClone(this.obj<V1Deployment>(PRIMARY_REF)!);
    primary.spec!.template.metadata!.annotations!['flagger-id'] = randomUUID();
    this.write(primary);
    this.scaleTarget(0);
    const lab = this.obj(LAB_VS_REF)!;
    if (this.f.fault !== 'no-takeover') this.write({ ...flaggerVirtualService(cd), metadata: { name: TARGET, namespace: 'sock-shop', annotations: { ...FLUX_OFF, 'flagger.kubernetes.io/original-configuration': JSON.stringify((lab as { spec?: unknown }).spec) } } } as KubernetesObject);
    this.setStatus(cd, { phase: 'Initialized', lastAppliedSpec: templateHash(this.obj(TARGET_REF)) });
  }

  private promote(): void {
    if (this.f.fault === 'primary-not-updated') return;
    const target = this.obj<V1Deployment>(TARGET_REF)!;
    const primary = structuredClone(this.obj<V1Deployment>(PRIMARY_REF)!);
    const tpl = structuredClone(target.spec!.template);
    tpl.metadata = { ...tpl.metadata, labels: { ...tpl.metadata?.labels, [SELECTOR_LABEL]: PRIMARY }, annotations: { ...tpl.metadata?.annotations, 'flagger-id': randomUUID() } };
    primary.spec!.template = tpl;
    this.write(primary);
  }

  private rollback(cd: CanaryObject): void {
    if (this.f.fault !== 'vs-left-at-canary') this.setRoutes(cd, 100, 0);
    this.scaleTarget(0);
    this.setStatus(cd, { phase: 'Failed', canaryWeight: 0, failedChecks: 0 });
  }

  private finalize(cd: CanaryObject): void {
    if (this.f.fault === 'finalizer-stuck') return;
    if (this.f.fault !== 'no-revert') {
      this.scaleTarget((this.obj<V1Deployment>(PRIMARY_REF)?.spec?.replicas) ?? 1);
      const svc = structuredClone(this.obj<V1Service>(SERVICE_REF)!);
      svc.spec!.selector = { [SELECTOR_LABEL]: TARGET };
      this.write(svc);
      const vs = structuredClone(this.obj(LAB_VS_REF)!) as KubernetesObject & { spec: unknown };
      const orig = vs.metadata?.annotations?.['flagger.kubernetes.io/original-configuration'];
      if (orig) {
        vs.spec = JSON.parse(orig);
        this.write(vs);
      }
    }
    const uid = cd.metadata!.uid;
    this.objects.delete(CANARY_KEY);
    for (const [k, o] of this.objects) {
      if (o.metadata?.ownerReferences?.some((r) => r.uid === uid)) this.objects.delete(k); // the garbage collector
    }
  }
}
