// A stand-in for the cluster and its data plane, for the exercises' unit and contract tests:
// an in-memory API (objects get server fields: resourceVersion, uid, status, a Deployment revision
// annotation) and a real HTTP "gateway" on 127.0.0.1 that routes like Istio from the objects the
// exercise applied: VirtualService weights and response headers, DestinationRule connection-pool
// limits (503 + x-envoy-overloaded, counted in upstream_rq_pending_overflow), carts' replicas.
// Its stats carry the overflow counter only when the gateway's proxy.istio.io/config includes it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { ObjRef } from '../../lab/kube.ts';
import { CARTS_REF, DR_REF, GATEWAY_REF, routesOf, VS_REF } from '../../lab/exercises/front-end-mesh.ts';
import type { DiagnosticEntry, DiagnosticRequest, GatewayAdminPage, GatewayAdminText, MeshOps } from '../../lab/exercises/mesh-ops-types.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';

export interface FakeMeshOptions {
  /** Route 50/50 whatever the weights say (a broken mesh). */
  ignoreWeights?: boolean;
  /** Time each admitted request takes, ms. Default 15. */
  delayMs?: number;
  /** Fail every apply with this message. */
  applyError?: string;
}

const key = (r: ObjRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
const refOf = (o: KubernetesObject): ObjRef => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, namespace: o.metadata?.namespace });

export const GATEWAY_DEPLOYMENT: KubernetesObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
  spec: {
    replicas: 1, selector: { matchLabels: { app: 'istio-ingressgateway' } },
    template: { metadata: { labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' }, annotations: { 'sidecar.istio.io/inject': 'false' } }, spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.4' }] } },
  },
} as KubernetesObject;

export class FakeMesh implements MeshOps {
  readonly objects = new Map<string, KubernetesObject>();
  readonly applies: string[] = [];
  readonly collected: DiagnosticRequest[] = [];
  readonly overflow = new Map<string, number>();
  private readonly active = new Map<string, number>();
  private rv = 100;
  private server: Server | undefined;
  url = '';

  constructor(readonly opts: FakeMeshOptions = {}) {
    const seed = renderSockShop().filter((o) => [key(VS_REF), key(DR_REF), key(CARTS_REF)].includes(key(refOf(o))));
    for (const o of [...seed, GATEWAY_DEPLOYMENT]) this.store(structuredClone(o));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private store(o: KubernetesObject): void {
    const before = this.objects.get(key(refOf(o)));
    const meta = { ...o.metadata, uid: before?.metadata?.uid ?? `uid-${this.rv}`, resourceVersion: String(++this.rv), managedFields: [{ manager: 'cloud-native-lab' }] } as Record<string, unknown>;
    if (o.kind === 'Deployment') {
      const template = (d?: KubernetesObject) => JSON.stringify((d as { spec?: { template?: unknown } })?.spec?.template);
      const rev = Number(before?.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) + (template(before) === template(o) ? 0 : 1);
      meta.annotations = { ...(o.metadata?.annotations ?? {}), 'deployment.kubernetes.io/revision': String(Math.max(1, rev)) };
    }
    this.objects.set(key(refOf(o)), { ...structuredClone(o), metadata: meta, status: { observedGeneration: 1 } } as KubernetesObject);
  }

  async get(ref: ObjRef) {
    const o = this.objects.get(key(ref));
    return o ? structuredClone(o) : undefined;
  }

  async apply(objs: KubernetesObject[]) {
    if (this.opts.applyError) throw new Error(this.opts.applyError);
    for (const o of objs) {
      this.applies.push(key(refOf(o)));
      this.store(structuredClone(o));
    }
  }

  async delete(ref: ObjRef) {
    return this.objects.delete(key(ref));
  }

  async waitRollout() {}

  async readyEndpoints(namespace: string, service: string) {
    return ((await this.get({ ...CARTS_REF, namespace, name: service })) as { spec?: { replicas?: number } })?.spec?.replicas ?? 0;
  }

  /** clusters: the DestinationRule's pool as circuit-breaker thresholds; stats: the overflow
   * counter, only if the gateway pods' ProxyConfig includes it. */
  async gatewayAdmin(page: GatewayAdminPage): Promise<GatewayAdminText[]> {
    if (page === 'clusters') {
      const pool = this.pool();
      const lines = ['v1', 'v2'].flatMap((s) => [
        `outbound|80|${s}|front-end.sock-shop.svc.cluster.local::default_priority::max_connections::${pool?.tcp?.maxConnections ?? 4294967295}`,
        `outbound|80|${s}|front-end.sock-shop.svc.cluster.local::default_priority::max_pending_requests::${pool?.http?.http1MaxPendingRequests ?? 4294967295}`,
      ]);
      return [{ pod: 'istio-ingressgateway-fake', text: `${lines.join('\n')}\n` }];
    }
    const gw = this.objects.get(key(GATEWAY_REF)) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } } | undefined;
    const config = parse(gw?.spec.template.metadata.annotations?.['proxy.istio.io/config'] ?? '{}') as { proxyStatsMatcher?: { inclusionSuffixes?: string[] } } | null;
    const emits = config?.proxyStatsMatcher?.inclusionSuffixes?.includes('upstream_rq_pending_overflow') ?? false;
    const lines = ['cluster_manager.cds.update_success: 12', 'server.live: 1', 'cluster.xds-grpc.upstream_rq_total: 40', 'listener_manager.lds.update_time: P0(nan,0) P25(nan,0)'];
    if (emits) {
      for (const subset of ['v1', 'v2']) {
        lines.push(`cluster.outbound|80|${subset}|front-end.sock-shop.svc.cluster.local.upstream_rq_pending_overflow: ${this.overflow.get(subset) ?? 0}`);
      }
    }
    return [{ pod: 'istio-ingressgateway-fake', text: `${lines.join('\n')}\n` }];
  }

  async ingressUrl() {
    return this.url;
  }

  async collect(requests: DiagnosticRequest[]): Promise<DiagnosticEntry[]> {
    this.collected.push(...requests);
    return requests.map((r) => ({ title: r.title, argv: [r.tool, ...r.args], exitCode: 0, output: 'fake output' }));
  }

  private pool() {
    return (this.objects.get(key(DR_REF)) as { spec?: { trafficPolicy?: { connectionPool?: { tcp?: { maxConnections?: number }; http?: { http1MaxPendingRequests?: number } } } } })?.spec?.trafficPolicy?.connectionPool;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const routes = routesOf(this.objects.get(key(VS_REF))!);
    const total = routes.reduce((a, r) => a + (r.weight ?? 0), 0);
    let pick = Math.random() * (this.opts.ignoreWeights ? routes.length : total);
    const route = routes.find((r) => (pick -= this.opts.ignoreWeights ? 1 : r.weight ?? 0) < 0) ?? routes[0];
    const subset = route.destination.subset;
    const headers = { ...(route.headers?.response?.set ?? {}) };
    if (req.url?.startsWith('/cart')) {
      const up = (this.objects.get(key(CARTS_REF)) as { spec?: { replicas?: number } })?.spec?.replicas ?? 0;
      res.writeHead(up > 0 ? 200 : 503, headers).end(up > 0 ? '[]' : 'no healthy upstream');
      return;
    }
    const pool = this.pool();
    const limit = pool ? (pool.tcp?.maxConnections ?? Infinity) + (pool.http?.http1MaxPendingRequests ?? Infinity) : Infinity;
    const now = this.active.get(subset) ?? 0;
    if (now >= limit) {
      this.overflow.set(subset, (this.overflow.get(subset) ?? 0) + 1);
      res.writeHead(503, { 'x-envoy-overloaded': 'true' }).end('upstream connect error or disconnect/reset before headers. reset reason: overflow');
      return;
    }
    this.active.set(subset, now + 1);
    setTimeout(() => {
      this.active.set(subset, (this.active.get(subset) ?? 1) - 1);
      res.writeHead(200, headers).end(`front-end ${subset}`);
    }, this.opts.delayMs ?? 15);
  }
}
