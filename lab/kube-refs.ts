// Names for API objects and the lab's field manager, without the API client: modules that only
// need these (exercises, ownership, manifests) do not load @kubernetes/client-node.
import type { KubernetesObject } from '@kubernetes/client-node';

export const FIELD_MANAGER = 'cloud-native-lab';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': FIELD_MANAGER } as const;

export interface ObjRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
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

