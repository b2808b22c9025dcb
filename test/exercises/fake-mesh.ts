// A stand-in for the cluster and its data plane, for the exercises' contract tests: an in-memory API
// (objects get server fields: resourceVersion, uid, status, a Deployment revision annotation) whose
// Deployments take time to roll out and whose Service endpoints follow replicas with a lag, and a
// real HTTP gateway (fake-gateway.ts) that runs on the configuration pushed to it. Both can
// misbehave: an apply that stores something else, a slow apply, a rollout that never finishes, and
// every data-plane fault in GatewayBehaviour.
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { LabError } from '../../lab/errors.ts';
import type { ObjRef } from '../../lab/kube.ts';
import { CARTS_REF, DR_REF, GATEWAY_REF, VS_REF } from '../../lab/exercises/front-end-mesh.ts';
import type { CommandResult, DiagnosticEntry, DiagnosticRequest, GatewayAdminPage, GatewayAdminText, HostPath, MeshOps } from '../../lab/exercises/mesh-ops-types.ts';
import type { EndpointName } from '../../lab/observability/endpoints.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { FakeGateway, type GatewayBehaviour } from './fake-gateway.ts';

export interface FakeMeshOptions extends GatewayBehaviour {
  /** Fail every apply with this message. */
  applyError?: string;
  /** The API stores this instead of what was applied (a webhook, a controller fighting the lab). */
  applyMutates?: (o: KubernetesObject) => KubernetesObject;
  /** Every apply takes this long. */
  applyDelayMs?: number;
  /** A Deployment change takes this long to roll out. Default 100. */
  rolloutMs?: number;
  /** Rollouts never finish. */
  rolloutStuck?: boolean;
  /** Endpoints follow a Deployment's replicas this much later. Default 100. */
  endpointsLagMs?: number;
  /** What serviceUrl answers for each in-cluster endpoint (local stand-ins); others fail as a
   * port-forward to a missing Service would. */
  services?: Partial<Record<EndpointName, string>>;
  /** What command() answers (kubectl exec, cordon, istioctl …); unscripted commands exit 1 with "not scripted". */
  commands?: (tool: 'kubectl' | 'istioctl', args: string[], input?: string) => Omit<CommandResult, 'argv'> | undefined;
}

const key = (r: ObjRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
const refOf = (o: KubernetesObject): ObjRef => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, namespace: o.metadata?.namespace });
const replicasOf = (o: KubernetesObject | undefined) => (o as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  /** Every command() call, as [tool, ...args]. */
  readonly commanded: string[][] = [];
  /** Every serviceUrl call, and how often close() was called. */
  readonly forwarded: EndpointName[] = [];
  closed = 0;
  readonly gateway: FakeGateway;
  /** When each Deployment's current rollout is done, and what it was rolled out with. */
  private readonly rolledOutAt = new Map<string, number>();
  private readonly running = new Map<string, KubernetesObject>();
  private readonly endpoints = new Map<string, { replicas: number; at: number; before: number }>();
  private rv = 100;

  constructor(readonly opts: FakeMeshOptions = {}) {
    const seed = renderSockShop().filter((o) => [key(VS_REF), key(DR_REF), key(CARTS_REF)].includes(key(refOf(o))));
    for (const o of [...seed, GATEWAY_DEPLOYMENT]) this.store(structuredClone(o), 0);
    this.gateway = new FakeGateway(opts, () => this.endpointsOf('carts') > 0);
  }

  get url() {
    return this.gateway.url;
  }

  /** Counters the gateway really counted, per subset. */
  get overflow() {
    return this.gateway.overflowCounted;
  }

  async start(): Promise<this> {
    await this.gateway.start(this.objects.get(key(VS_REF))!, this.objects.get(key(DR_REF))!);
    return this;
  }

  stop(): Promise<void> {
    return this.gateway.stop();
  }

  private store(o: KubernetesObject, rolloutMs = this.opts.rolloutMs ?? 100): void {
    const k = key(refOf(o));
    const before = this.objects.get(k);
    const meta = { ...o.metadata, uid: before?.metadata?.uid ?? `uid-${this.rv}`, resourceVersion: String(++this.rv), managedFields: [{ manager: 'cloud-native-lab' }] } as Record<string, unknown>;
    if (o.kind === 'Deployment') {
      const template = (d?: KubernetesObject) => JSON.stringify((d as { spec?: { template?: unknown } })?.spec?.template);
      const changed = template(before) !== template(o);
      const rev = Number(before?.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) + (changed ? 1 : 0);
      meta.annotations = { ...(o.metadata?.annotations ?? {}), 'deployment.kubernetes.io/revision': String(Math.max(1, rev)) };
      if (changed || replicasOf(before) !== replicasOf(o)) {
        this.rolledOutAt.set(k, this.opts.rolloutStuck && before ? Infinity : Date.now() + (before ? rolloutMs : 0));
        if (!before) this.running.set(k, structuredClone(o));
        else if (!this.opts.rolloutStuck) setTimeout(() => this.running.set(k, structuredClone(o)), rolloutMs).unref();
        this.endpoints.set(o.metadata!.name!, { replicas: replicasOf(o), at: Date.now() + (before ? (this.opts.endpointsLagMs ?? 100) : 0), before: replicasOf(before) });
      }
    }
    this.objects.set(k, { ...structuredClone(o), metadata: meta, status: { observedGeneration: 1 } } as KubernetesObject);
  }

  private endpointsOf(name: string): number {
    const e = this.endpoints.get(name);
    return !e ? 0 : Date.now() >= e.at ? e.replicas : e.before;
  }

  async get(ref: ObjRef) {
    const o = this.objects.get(key(ref));
    return o ? structuredClone(o) : undefined;
  }

  async list(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<KubernetesObject[]> {
    const wanted = (opts.labelSelector ?? '').split(',').filter(Boolean).map((term) => term.split('='));
    return [...this.objects.values()]
      .filter((o) => o.apiVersion === apiVersion && o.kind === kind && (opts.namespace === undefined || o.metadata?.namespace === opts.namespace))
      .filter((o) => wanted.every(([k, v]) => o.metadata?.labels?.[k] === v))
      .map((o) => structuredClone(o));
  }

  async command(tool: 'kubectl' | 'istioctl', args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CommandResult> {
    this.commanded.push([tool, ...args]);
    const answer = this.opts.commands?.(tool, args, opts.input) ?? { exitCode: 1, stdout: '', stderr: `not scripted: ${tool} ${args.join(' ')}` };
    return { argv: [tool, ...args], ...answer };
  }

  async apply(objs: KubernetesObject[]) {
    if (this.opts.applyError) throw new Error(this.opts.applyError);
    if (this.opts.applyDelayMs) await sleep(this.opts.applyDelayMs);
    for (const o of objs) {
      this.applies.push(key(refOf(o)));
      const stored = this.opts.applyMutates ? this.opts.applyMutates(structuredClone(o)) : structuredClone(o);
      this.store(stored);
      if (o.kind === 'VirtualService' || o.kind === 'DestinationRule') this.gateway.push(o.kind, stored);
    }
  }

  async delete(ref: ObjRef) {
    return this.objects.delete(key(ref));
  }

  async waitRollout(namespace: string, name: string, timeoutMs = 300_000) {
    const done = this.rolledOutAt.get(key({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name })) ?? 0;
    const wait = done - Date.now();
    if (wait > timeoutMs) {
      await sleep(timeoutMs);
      throw new LabError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for deployment ${namespace}/${name} to finish its rollout`);
    }
    if (wait > 0) await sleep(wait);
  }

  async readyEndpoints(_namespace: string, service: string) {
    return this.endpointsOf(service);
  }

  /** clusters: what the gateway runs with; stats: its overflow counter, emitted only once a gateway
   * rolled out with the stats inclusion in its proxy.istio.io/config is running. */
  async gatewayAdmin(page: GatewayAdminPage): Promise<GatewayAdminText[]> {
    if (page === 'clusters') return [{ pod: 'istio-ingressgateway-fake', text: this.gateway.clustersPage() }];
    const gw = this.running.get(key(GATEWAY_REF)) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } } | undefined;
    const config = parse(gw?.spec.template.metadata.annotations?.['proxy.istio.io/config'] ?? '{}') as { proxyStatsMatcher?: { inclusionSuffixes?: string[] } } | null;
    const emits = config?.proxyStatsMatcher?.inclusionSuffixes?.includes('upstream_rq_pending_overflow') ?? false;
    const lines = ['cluster_manager.cds.update_success: 12', 'server.live: 1', 'cluster.xds-grpc.upstream_rq_total: 40', 'listener_manager.lds.update_time: P0(nan,0) P25(nan,0)'];
    if (emits) {
      for (const subset of ['v1', 'v2']) lines.push(`cluster.outbound|80|${subset}|front-end.sock-shop.svc.cluster.local.upstream_rq_pending_overflow: ${this.overflow.get(subset) ?? 0}`);
    }
    return [{ pod: 'istio-ingressgateway-fake', text: `${lines.join('\n')}\n` }];
  }

  async ingressUrl() {
    return this.gateway.url;
  }

  async serviceUrl(name: EndpointName): Promise<string> {
    this.forwarded.push(name);
    const url = this.opts.services?.[name];
    if (!url) throw new LabError(`kubectl port-forward svc/${name} exited 1 before forwarding`, { detail: `Error from server (NotFound): services "${name}" not found` });
    return url;
  }

  async close(): Promise<void> {
    this.closed++;
  }

  hostPathOf(nodePath: string): HostPath {
    return { why: `the fake mesh mounts no data directory (${nodePath})` };
  }

  async collect(requests: DiagnosticRequest[]): Promise<DiagnosticEntry[]> {
    this.collected.push(...requests);
    return requests.map((r) => ({ title: r.title, argv: [r.tool, ...r.args], exitCode: 0, output: 'fake output' }));
  }
}
