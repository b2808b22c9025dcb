// The lab's one door to the Kubernetes API: server-side apply with a fixed field manager, reads,
// deletes, and watch-based waits with deadlines. Built from LAB_KUBECONFIG and an explicit context:
// the user's current-context is never used.
import { existsSync } from 'node:fs';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { LabError } from './errors.ts';
import { describeRef, FIELD_MANAGER, refOf, statusOf, type ObjRef } from './kube-refs.ts';
import { toClientForm } from './kube-wire.ts';

export { describeRef, FIELD_MANAGER, MANAGED_BY, refOf, statusOf, type ObjRef } from './kube-refs.ts';

export interface ApplyResult {
  ref: ObjRef;
  action: 'created' | 'configured' | 'unchanged' | 'replaced';
}

export class Kube {
  readonly api: KubernetesObjectApi;

  constructor(readonly kc: KubeConfig) {
    reuseOneAgent(kc);
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  /** Load `file` and select `context` in memory only; the file is never written. */
  static fromFile(file: string, context: string): Kube {
    if (!existsSync(file)) throw new LabError(`kubeconfig ${file} does not exist (is the cluster up? run: make lab-up)`);
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new LabError(`context ${context} is not in ${file}; the lab only uses the context it created or the one you named`);
    }
    kc.setCurrentContext(context);
    return new Kube(kc);
  }

  async get<T extends KubernetesObject>(ref: ObjRef): Promise<T | undefined> {
    try {
      return (await this.api.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } })) as T;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new LabError(`reading ${describeRef(ref)}`, { cause: err, detail: bodyOf(err) });
    }
  }

  /**
   * Server-side apply each object in order; reports whether the server changed it. With
   * `replaceImmutable`, an object the server refuses to change in place (a Job's pod template is
   * immutable) is deleted, awaited until gone, and created again.
   */
  async apply(objs: KubernetesObject[], opts: { replaceImmutable?: boolean } = {}): Promise<ApplyResult[]> {
    const out: ApplyResult[] = [];
    for (const obj of objs) {
      const ref = refOf(obj);
      const before = await this.get(ref);
      let after: KubernetesObject;
      try {
        after = await this.patchApply(obj);
      } catch (err) {
        if (!(opts.replaceImmutable && before && isImmutableRefusal(err))) throw new LabError(`applying ${describeRef(ref)}`, { cause: err, detail: bodyOf(err) });
        await this.deleteAndWait(ref, 120_000);
        await this.patchApply(obj).catch((e: unknown) => {
          throw new LabError(`re-creating ${describeRef(ref)}`, { cause: e, detail: bodyOf(e) });
        });
        out.push({ ref, action: 'replaced' });
        continue;
      }
      const action = !before ? 'created' : before.metadata?.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
      out.push({ ref, action });
    }
    return out;
  }

  private patchApply(obj: KubernetesObject): Promise<KubernetesObject> {
    return this.api.patch(toClientForm(obj), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  /** PUT a complete object as `get` returned it (its resourceVersion guards against a concurrent change). */
  async replace<T extends KubernetesObject>(obj: T): Promise<T> {
    try {
      return (await this.api.replace(obj, undefined, undefined, FIELD_MANAGER)) as T;
    } catch (err) {
      throw new LabError(`replacing ${describeRef(refOf(obj))}`, { cause: err, detail: bodyOf(err) });
    }
  }

  /** Delete (dependents in the foreground) and return once the object is gone. */
  async deleteAndWait(ref: ObjRef, timeoutMs: number): Promise<void> {
    try {
      await this.api.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (err) {
      if (statusOf(err) !== 404) throw new LabError(`deleting ${describeRef(ref)}`, { cause: err, detail: bodyOf(err) });
    }
    const deadline = Date.now() + timeoutMs;
    while (await this.get(ref)) {
      if (Date.now() > deadline) throw new LabError(`${describeRef(ref)} was still there ${Math.round(timeoutMs / 1000)}s after deleting it`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Server-side dry-run apply: what each object would look like, nothing written. */
  async dryRunApply(objs: KubernetesObject[]): Promise<KubernetesObject[]> {
    const out: KubernetesObject[] = [];
    for (const obj of objs) {
      try {
        out.push(await this.api.patch(toClientForm(obj), undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
      } catch (err) {
        throw new LabError(`checking ${describeRef(refOf(obj))}`, { cause: err, detail: bodyOf(err) });
      }
    }
    return out;
  }

  async list<T extends KubernetesObject>(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<T[]> {
    try {
      const res = await this.api.list<T>(apiVersion, kind, opts.namespace, undefined, undefined, undefined, undefined, opts.labelSelector);
      return res.items;
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw new LabError(`listing ${kind}`, { cause: err, detail: bodyOf(err) });
    }
  }

  /** A JSON merge patch (RFC 7386) of one object, e.g. one field of a custom resource; `null`
   * removes a key. Never server-side apply here: applying a partial object with the lab's own field
   * manager would drop every field the lab applied before and left out. */
  async mergePatch<T extends KubernetesObject>(ref: ObjRef, patch: Record<string, unknown>): Promise<T> {
    const { metadata, ...rest } = patch as { metadata?: Record<string, unknown> };
    const body = { ...rest, apiVersion: ref.apiVersion, kind: ref.kind, metadata: { ...metadata, name: ref.name, namespace: ref.namespace } } as KubernetesObject;
    try {
      return (await this.api.patch(body, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch)) as T;
    } catch (err) {
      throw new LabError(`patching ${describeRef(ref)}`, { cause: err, detail: bodyOf(err) });
    }
  }

  /** Delete if present; returns false when it was already gone. */
  async delete(ref: ObjRef): Promise<boolean> {
    try {
      await this.api.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }, undefined, undefined, undefined, undefined, 'Background');
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw new LabError(`deleting ${describeRef(ref)}`, { cause: err, detail: bodyOf(err) });
    }
  }

  /** A container's log (`previous`: the run before the current restart). */
  async podLog(namespace: string, pod: string, container: string, opts: { previous?: boolean; tailLines?: number } = {}): Promise<string> {
    try {
      return await this.kc.makeApiClient(CoreV1Api).readNamespacedPodLog({ name: pod, namespace, container, previous: opts.previous, tailLines: opts.tailLines });
    } catch (err) {
      throw new LabError(`reading the log of ${namespace}/${pod} ${container}`, { cause: err, detail: bodyOf(err) });
    }
  }

  /**
   * Every object of a collection as it changes (ADDED/MODIFIED), until `signal` aborts; re-watches
   * when the server closes the stream. `listPath` e.g. /api/v1/namespaces/ns/pods.
   */
  watchList<T extends KubernetesObject>(listPath: string, query: { labelSelector?: string; fieldSelector?: string }, onObject: (o: T) => void, signal: AbortSignal): void {
    const watch = new Watch(this.kc);
    const once = async () => {
      while (!signal.aborted) {
        await new Promise<void>((resolve) => {
          let ctrl: AbortController | undefined;
          const stop = () => {
            ctrl?.abort();
            resolve();
          };
          signal.addEventListener('abort', stop, { once: true });
          watch
            .watch(listPath, query, (phase, obj: T) => {
              if (phase !== 'DELETED') onObject(obj);
            }, () => {
              signal.removeEventListener('abort', stop);
              resolve();
            })
            .then((c) => {
              ctrl = c;
              if (signal.aborted) c.abort();
            })
            .catch(() => {
              signal.removeEventListener('abort', stop);
              resolve();
            });
        });
        if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
      }
    };
    void once();
  }

  /**
   * Watch one object until `ok(obj)` is true, the deadline passes, or `signal` aborts. `listPath` is
   * the collection URL, e.g. /apis/apps/v1/namespaces/sock-shop/deployments.
   */
  waitFor<T extends KubernetesObject>(listPath: string, name: string, ok: (o: T) => boolean, timeoutMs: number, what = name, signal?: AbortSignal): Promise<T> {
    const stop = new AbortController();
    let last: T | undefined;
    return new Promise<T>((resolve, reject) => {
      const done = (settle: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        stop.abort();
        settle();
      };
      const timer = setTimeout(() => done(() => reject(new LabError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`, {
        detail: last ? JSON.stringify((last as { status?: unknown }).status ?? {}, null, 1).slice(0, 1500) : 'the object was never seen',
      }))), timeoutMs);
      const onAbort = () => done(() => reject(new LabError(`stopped waiting for ${what}`)));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.watchList<T>(listPath, { fieldSelector: `metadata.name=${name}` }, (o) => {
        last = o;
        if (!stop.signal.aborted && ok(o)) done(() => resolve(o));
      }, stop.signal);
    });
  }
}

/** 422 Invalid "…: field is immutable" — the object must be replaced to change it. */
export function isImmutableRefusal(err: unknown): boolean {
  return statusOf(err) === 422 && /field is immutable/.test(bodyOf(err) ?? '');
}

/**
 * client-node builds a new https.Agent for every request (kubeconfig.ts createAgent): a new TLS
 * handshake and SecureContext each time, which made a burst of reads (a drift check of 40 objects)
 * cost a second. One keep-alive agent per client instead; the kubeconfig a client is built from does
 * not change under it (the context rebuilds the client when the file changes).
 */
function reuseOneAgent(kc: KubeConfig): void {
  const k = kc as unknown as { createAgent?: (cluster: unknown, opts: Record<string, unknown>) => { destroy?(): void } };
  const make = k.createAgent?.bind(kc);
  if (!make) return; // a client-node without it: its own behaviour
  let agent: ReturnType<typeof make> | undefined;
  k.createAgent = (cluster, opts) => (agent ??= make(cluster, { ...opts, keepAlive: true }));
}

function bodyOf(err: unknown): string | undefined {
  const body = (err as { body?: unknown })?.body;
  if (!body) return undefined;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (body as { message?: string }).message ?? JSON.stringify(body);
}
