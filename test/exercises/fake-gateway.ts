// The data-plane half of the fake mesh: a real HTTP "ingress gateway" on 127.0.0.1 that behaves
// like Envoy from the configuration it was *pushed* (not from what is stored in the API: a push
// takes time, or never comes), and that can misbehave in every way an exercise must notice:
// weights ignored or skewed, a leak to the other version, errors right after a route change, a
// connection pool ignored or too tight, a counter that lags or misses, outlier ejection of
// front-end, a slow or hanging /cart, a front-end that hides carts' failure behind a 200.
// Randomness comes from a seeded PRNG, so every run of a test sees the same traffic.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import { routesOf } from '../../lab/exercises/front-end-mesh.ts';
import { REQUEST_INDEX_HEADER } from '../../lab/checks/http-load.ts';
import { seededRandom } from '../seeded-random.ts';
import { decideFault, matchedHttp, routeThrough, sidecarHop, type Answer, type FaultBehaviour, type RouterBehaviour } from './fake-gateway-faults.ts';

/** Faults from the pushed VirtualService (delay, abort) and their misbehaviours: fake-gateway-faults.ts. */
export interface GatewayBehaviour extends FaultBehaviour, RouterBehaviour {
  seed?: number;
  /** Time an admitted request takes, ms. Default 15. */
  delayMs?: number;
  /** Config reaches the gateway this long after it is applied. Default 150. */
  pushDelayMs?: number;
  /** Config never reaches the gateway. */
  pushNever?: boolean;
  /** Route uniformly, whatever the weights. */
  ignoreWeights?: boolean;
  /** Move this many percentage points of weight from v1 to v2. */
  skewPp?: number;
  /** Send this % of requests to the other version than the route chose. */
  leakPct?: number;
  /** Fail this % of requests with a 503 (reset before headers). */
  errorPct?: number;
  /** Fail the first N requests after each route change with a 503. */
  switchErrors?: number;
  /** Leave x-lab-version off this % of responses. */
  dropHeaderPct?: number;
  /** Ignore the DestinationRule's connection pool. */
  ignorePool?: boolean;
  /** Admit no request at all under a connection pool (every one overflows). */
  poolClosed?: boolean;
  /** Overflow counter increments show up this much later. */
  counterLagMs?: number;
  /** This % of overflow 503s are never counted. */
  counterMissPct?: number;
  /** /cart with carts down: answer after this long. Default 5. */
  cartDelayMs?: number;
  /** /cart with carts down: never answer. */
  cartHang?: boolean;
  /** /cart with carts down: front-end answers 200 anyway. */
  cartHidesFailure?: boolean;
  /** /cart with carts down: the gateway answers by itself (as for an ejected front-end), whatever /clusters says. */
  cartLocalReply?: boolean;
  /** Told of every request as Envoy's telemetry would see it (test/exercises/fake-telemetry.ts). */
  observer?: (r: ObservedRequest) => void;
}

/** One request as the gateway's telemetry sees it: what came in, what went out, and whether
 * front-end served it (only then do its sidecar's log line, span and counter exist). */
export interface ObservedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  upstream: boolean;
  subset?: string;
}

type Pool = { tcp?: { maxConnections?: number }; http?: { http1MaxPendingRequests?: number } };
type Outlier = { consecutive5xxErrors?: number; baseEjectionTime?: string };
type Policy = { connectionPool?: Pool; outlierDetection?: Outlier };

export class FakeGateway {
  private readonly random: () => number;
  private server: Server | undefined;
  url = '';
  /** What Envoy runs with: the last pushed VirtualService and DestinationRule. */
  private vs: KubernetesObject | undefined;
  /** Mesh VirtualServices other than front-end's gateway route, by name: what the sidecars run. */
  private readonly meshVs = new Map<string, KubernetesObject>();
  private dr: KubernetesObject | undefined;
  private sinceRouteChange = Infinity;
  private readonly active = new Map<string, number>();
  private readonly fails = new Map<string, number>();
  private readonly ejectedUntil = new Map<string, number>();
  readonly overflowSeen = new Map<string, number>();
  readonly overflowCounted = new Map<string, number>();

  constructor(readonly b: GatewayBehaviour, private readonly cartsUp: () => boolean) {
    this.random = seededRandom(b.seed ?? 1);
  }

  async start(vs: KubernetesObject, dr: KubernetesObject): Promise<void> {
    this.vs = vs;
    this.dr = dr;
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** istiod pushing what was just applied. */
  push(kind: 'VirtualService' | 'DestinationRule', obj: KubernetesObject): void {
    if (this.b.pushNever) return;
    setTimeout(() => {
      if (kind === 'VirtualService' && obj.metadata?.name !== 'front-end') {
        this.meshVs.set(obj.metadata!.name!, structuredClone(obj));
      } else if (kind === 'VirtualService') {
        this.vs = structuredClone(obj);
        this.sinceRouteChange = 0;
      } else {
        this.dr = structuredClone(obj);
        this.ejectedUntil.clear(); // a new cluster: Envoy starts its outlier detector afresh
        this.fails.clear();
      }
    }, this.b.pushDelayMs ?? 150).unref();
  }

  private policy(): Policy | undefined {
    return (this.dr as { spec?: { trafficPolicy?: Policy } } | undefined)?.spec?.trafficPolicy;
  }

  /** Envoy's /clusters for front-end: thresholds of each subset and its host's health flags. */
  clustersPage(): string {
    const pool = this.b.pushNever && !this.dr ? undefined : this.policy()?.connectionPool;
    return ['v1', 'v2'].flatMap((s) => {
      const c = `outbound|80|${s}|front-end.sock-shop.svc.cluster.local`;
      const ejected = (this.ejectedUntil.get(s) ?? 0) > Date.now();
      return [
        `${c}::default_priority::max_connections::${pool?.tcp?.maxConnections ?? 4294967295}`,
        `${c}::default_priority::max_pending_requests::${pool?.http?.http1MaxPendingRequests ?? 4294967295}`,
        `${c}::10.244.1.${s === 'v1' ? 7 : 8}:8079::health_flags::${ejected ? '/failed_outlier_check' : 'healthy'}`,
      ];
    }).join('\n') + '\n';
  }

  private count(subset: string): void {
    this.overflowSeen.set(subset, (this.overflowSeen.get(subset) ?? 0) + 1);
    if (this.random() * 100 < (this.b.counterMissPct ?? 0)) return;
    const bump = () => this.overflowCounted.set(subset, (this.overflowCounted.get(subset) ?? 0) + 1);
    if (this.b.counterLagMs) setTimeout(bump, this.b.counterLagMs).unref();
    else bump();
  }

  private pickSubset(req: IncomingMessage): { subset: string; headers: Record<string, string> } | undefined {
    const routes = routesOf({ spec: { http: [matchedHttp(this.vs, req.headers)] } } as KubernetesObject);
    if (routes.length === 0) return undefined;
    const weights = routes.map((r) => (this.b.ignoreWeights ? 1 : r.weight ?? 0));
    if (this.b.skewPp && !this.b.ignoreWeights) {
      const [i1, i2] = ['v1', 'v2'].map((v) => routes.findIndex((r) => r.destination.subset === v));
      const moved = Math.min(this.b.skewPp, weights[i1] ?? 0);
      weights[i1] -= moved;
      weights[i2] += moved;
    }
    let pick = this.random() * weights.reduce((a, w) => a + w, 0);
    const i = Math.max(0, weights.findIndex((w) => (pick -= w) < 0));
    let route = routes[i] ?? routes[0];
    if (this.random() * 100 < (this.b.leakPct ?? 0)) route = routes.find((r) => r !== route) ?? route;
    const headers = this.random() * 100 < (this.b.dropHeaderPct ?? 0) ? {} : { ...(route.headers?.response?.set ?? {}) };
    return { subset: route.destination.subset, headers };
  }

  /** Envoy's fault filter runs before routing: wait out a delay, answer an abort itself. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    const random = this.requestRandom(req);
    const fault = decideFault(this.vs, this.b, random);
    const go = () => {
      if (!fault?.abort) return this.route(req, res, random);
      this.b.observer?.({ path: req.url ?? '/', headers: req.headers, status: fault.abort.status, upstream: false });
      res.writeHead(fault.abort.status, fault.abort.headers).end(fault.abort.body);
    };
    if (fault && fault.delayMs > 0) setTimeout(go, fault.delayMs);
    else go();
  }

  /** A request that says which one of its sample it is (x-lab-request: the launch index) draws its
   * fault, retries and timeout from its own stream: the sample's outcome is then the same whatever
   * order the requests arrive in, so a seeded test gets the same counts on any machine. */
  private requestRandom(req: IncomingMessage): () => number {
    const index = req.headers[REQUEST_INDEX_HEADER];
    if (typeof index !== 'string') return this.random;
    let h = 2166136261 ^ (this.b.seed ?? 1);
    for (const c of `${req.headers['x-lab-retries'] ?? ''}|${index}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    return seededRandom(h >>> 0);
  }

  private route(req: IncomingMessage, res: ServerResponse, random: () => number = this.random): void {
    const sinceChange = this.sinceRouteChange++;
    if ((this.b.switchErrors && sinceChange < this.b.switchErrors) || this.random() * 100 < (this.b.errorPct ?? 0)) {
      this.b.observer?.({ path: req.url ?? '/', headers: req.headers, status: 503, upstream: false });
      res.writeHead(503).end('upstream connect error or disconnect/reset before headers. reset reason: connection termination');
      return;
    }
    const picked = this.pickSubset(req);
    if (!picked) {
      res.writeHead(404, { server: 'istio-envoy' }).end(); // Envoy: no route matched (NR)
      return;
    }
    const { subset, headers } = picked;
    if ((this.ejectedUntil.get(subset) ?? 0) > Date.now()) {
      res.writeHead(503, { server: 'istio-envoy' }).end('no healthy upstream');
      return;
    }
    const cartDown = Boolean(req.url?.startsWith('/cart')) && !this.cartsUp();
    if (cartDown && this.b.cartLocalReply) {
      res.writeHead(503, { server: 'istio-envoy' }).end('no healthy upstream');
      return;
    }
    if (cartDown && this.b.cartHang) return; // never answers: the client gives up
    const pool = this.b.ignorePool ? undefined : this.policy()?.connectionPool;
    const limit = this.b.poolClosed && pool ? 0 : pool ? (pool.tcp?.maxConnections ?? Infinity) + (pool.http?.http1MaxPendingRequests ?? Infinity) : Infinity;
    const now = this.active.get(subset) ?? 0;
    if (now >= limit) {
      this.count(subset);
      res.writeHead(503, { 'x-envoy-overloaded': 'true' }).end('upstream connect error or disconnect/reset before headers. reset reason: overflow');
      return;
    }
    this.active.set(subset, now + 1);
    const cartDelay = this.b.cartDelayMs ?? 5;
    const [status, body, delay] = !cartDown ? [200, `front-end ${subset}`, this.b.delayMs ?? 15]
      : this.b.cartHidesFailure ? [200, '[]', cartDelay] : [500, 'Internal Server Error', cartDelay];
    const backend = () => new Promise<Answer>((resolve) => setTimeout(() => resolve({ status, body, upstream: true }), delay));
    const hop = !cartDown && req.url?.startsWith('/cart') ? () => sidecarHop(this.meshVs.get('carts'), this.b, random, backend) : backend;
    void routeThrough(matchedHttp(this.vs, req.headers), this.b, hop, random).then((a) => {
      this.active.set(subset, (this.active.get(subset) ?? 1) - 1);
      this.outlier(subset, a.status);
      this.b.observer?.({ path: req.url ?? '/', headers: req.headers, status: a.status, upstream: a.upstream, subset });
      res.writeHead(a.status, { ...headers, ...(a.upstream ? { 'x-envoy-upstream-service-time': String(delay) } : {}) }).end(a.body);
    });
  }

  /** consecutive5xxErrors → eject the subset's host for baseEjectionTime, as Envoy does. */
  private outlier(subset: string, status: number): void {
    const od = this.policy()?.outlierDetection;
    if (!od?.consecutive5xxErrors) return;
    const n = status >= 500 ? (this.fails.get(subset) ?? 0) + 1 : 0;
    this.fails.set(subset, n);
    if (n >= od.consecutive5xxErrors) this.ejectedUntil.set(subset, Date.now() + 1000 * Number.parseInt(od.baseEjectionTime ?? '30s', 10));
  }
}
