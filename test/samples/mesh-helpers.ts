// Shared helpers for the sample tests.
import type { KubernetesObject } from '@kubernetes/client-node';

/** Istio's protocol selection by port name: `<protocol>[-<suffix>]`. Anything else is opaque TCP. */
export const ISTIO_PORT_NAME = /^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|mysql|redis|udp)(-[\w-]+)?$/;

/** The spec of the Istio object `kind`/`name`; fails loudly when it is not rendered. */
export function istioSpec(objs: KubernetesObject[], kind: string, name: string): Record<string, any> {
  const o = objs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind}/${name} is not rendered`);
  if (!o.apiVersion?.startsWith('networking.istio.io/')) throw new Error(`${kind}/${name} has apiVersion ${o.apiVersion}`);
  return (o as unknown as { spec: Record<string, any> }).spec;
}
