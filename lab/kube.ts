// The lab's one door to the Kubernetes API: server-side apply with a fixed field manager, reads,
// deletes, and watch-based waits with deadlines. Built from LAB_KUBECONFIG and an explicit context:
// the user's current-context is never used.
import { existsSync } from 'node:fs';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { LabError } from './errors.ts';
import { toClientForm } from './kube-wire.ts';

export const FIELD_MANAGER = 'cloud-native-lab';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': FIELD_MANAGER } as const;

export interface ObjRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ApplyResult {
  ref: ObjRef;
  action: 'created' | 'configured' | 'unchanged';
}

export function refOf(o: KubernetesObject): ObjRef {
  return { apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, namespace: o.metadata?.namespace };
}

export function describeRef(r: ObjRef): string {
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** HTTP status of a client-node error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

export class Kube {
  readonly api: KubernetesObjectApi;

  constructor(readonly kc: KubeConfig) {
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

  /** Server-side apply each object in order; reports whether the server changed it. */
  async apply(objs: KubernetesObject[]): Promise<ApplyResult[]> {
    const out: ApplyResult[] = [];
    for (const obj of objs) {
      const ref = refOf(obj);
      const before = await this.get(ref);
      let after: KubernetesObject;
      try {
        after = await this.api.patch(toClientForm(obj), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (err) {
        throw new LabError(`applying ${describeRef(ref)}`, { cause: err, detail: bodyOf(err) });
      }
      const action = !before ? 'created' : before.metadata?.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
      out.push({ ref, action });
    }
    return out;
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

  /**
   * Watch one object until `ok(obj)` is true or the deadline passes. `listPath` is the collection
   * URL, e.g. /apis/apps/v1/namespaces/sock-shop/deployments. Re-watches when the server closes.
   */
  async waitFor<T extends KubernetesObject>(listPath: string, name: string, ok: (o: T) => boolean, timeoutMs: number, what = name): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const watch = new Watch(this.kc);
    let last: T | undefined;
    while (Date.now() < deadline) {
      const result = await new Promise<T | undefined>((resolve) => {
        let ctrl: AbortController | undefined;
        let settled = false;
        // Settle first, then abort: aborting calls the watch's done callback synchronously.
        const finish = (v: T | undefined) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(v);
          ctrl?.abort();
        };
        const timer = setTimeout(() => finish(undefined), Math.max(0, deadline - Date.now()));
        watch
          .watch(listPath, { fieldSelector: `metadata.name=${name}` }, (phase, obj: T) => {
            if (phase === 'DELETED') return;
            last = obj;
            if (ok(obj)) finish(obj);
          }, () => finish(undefined))
          .then((c) => {
            ctrl = c;
            if (settled) c.abort();
          })
          .catch(() => finish(undefined));
      });
      if (result) return result;
      if (Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    }
    throw new LabError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`, {
      detail: last ? JSON.stringify((last as { status?: unknown }).status ?? {}, null, 1).slice(0, 1500) : 'the object was never seen',
    });
  }
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
