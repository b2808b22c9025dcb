// A mesh with peer authentication, for the mtls exercise's contract tests: pods (front-end with its
// service account, the exercise's clients, with the sidecar Istio would inject into sock-shop),
// `kubectl exec` running the exercise's request script as busybox would answer it (a line per
// request: 200, or no status and "Connection reset by peer" once STRICT reaches front-end's sidecar
// `enforceAfterMs` after the PeerAuthentication is applied, on the test's virtual clock), and
// `istioctl proxy-config secret` printing Envoy's secrets dump with a real certificate. It
// misbehaves on request (MtlsFault); a partial leak is seeded.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { CommandResult } from '../../lab/exercises/mesh-ops-types.ts';
import { REQUEST_SCRIPT } from '../../lab/exercises/mtls-clients.ts';
import type { ObjRef } from '../../lab/kube.ts';
import { seededRandom } from '../seeded-random.ts';
import { FakeMesh } from './fake-mesh.ts';
import { EXPIRED_CERT, OTHER_NAMESPACE_CERT, VALID_CERT } from './mtls-certs.ts';
import type { VirtualClock } from './virtual-clock.ts';

export type MtlsFault =
  | 'strict-not-enforced' // the policy is stored but front-end's sidecar keeps accepting plain text
  | 'partial-leak' // under STRICT, about 5 % of plain requests are still answered (seeded)
  | 'baseline-refused' // the plain client is refused even before STRICT (a network problem)
  | 'meshed-refused' // the meshed client's requests are reset too
  | 'no-sidecar' // Istio injects nothing into the meshed client
  | 'exec-fails' // kubectl exec cannot reach the client container
  | 'wrong-spiffe' // the certificate names another namespace
  | 'expired' // the certificate expired in 2021
  | 'no-cert' // the secrets dump has no `default` secret
  | 'secret-fails'; // istioctl proxy-config secret exits 1

export interface MtlsFakeOptions {
  clock: VirtualClock;
  faults?: MtlsFault[];
  enforceAfterMs?: number;
  seed?: number;
  /** A PeerAuthentication the lab had before (restored exactly by cleanup). */
  existingPolicy?: KubernetesObject;
}

const key = (r: ObjRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
const RESET = 'wget: error getting response: Connection reset by peer';

export class MtlsMesh extends FakeMesh {
  readonly pods = new Map<string, V1Pod>();
  private strictSince: number | undefined;
  private readonly random: () => number;
  private readonly has: (f: MtlsFault) => boolean;

  constructor(readonly m: MtlsFakeOptions) {
    super();
    this.has = (f) => m.faults?.includes(f) ?? false;
    this.random = seededRandom(m.seed ?? 5);
    this.storePod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'front-end-57dfc779cd-4z6md', namespace: 'sock-shop', labels: { app: 'front-end', version: 'v1' } }, spec: { serviceAccountName: 'default', containers: [{ name: 'front-end' }] } }, true);
    if (m.existingPolicy) void super.apply([structuredClone(m.existingPolicy)]);
    this.applies.length = 0;
  }

  private storePod(p: V1Pod, sidecar: boolean) {
    const containers = [...(p.spec?.containers ?? []), ...(sidecar ? [{ name: 'istio-proxy' }] : [])];
    this.pods.set(key({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata!.namespace, name: p.metadata!.name! }), {
      ...structuredClone(p), spec: { ...p.spec, containers },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  private strictNow(): boolean {
    const pa = this.objects.get('PeerAuthentication/sock-shop/default') as { spec?: { mtls?: { mode?: string } } } | undefined;
    if (pa?.spec?.mtls?.mode !== 'STRICT') return false;
    return this.strictSince !== undefined && this.m.clock.now() - this.strictSince >= (this.m.enforceAfterMs ?? 1_500) && !this.has('strict-not-enforced');
  }

  async get(ref: ObjRef) {
    if (ref.kind === 'Pod') return structuredClone(this.pods.get(key(ref))) as KubernetesObject | undefined;
    return super.get(ref);
  }

  async list(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<KubernetesObject[]> {
    if (kind !== 'Pod') return super.list(apiVersion, kind, opts);
    const wanted = (opts.labelSelector ?? '').split(',').filter(Boolean).map((t) => t.split('='));
    return [...this.pods.values()].filter((p) => (opts.namespace === undefined || p.metadata?.namespace === opts.namespace) && wanted.every(([a, b]) => p.metadata?.labels?.[a] === b)).map((p) => structuredClone(p) as KubernetesObject);
  }

  async apply(objs: KubernetesObject[]) {
    for (const o of objs) {
      if (o.kind === 'Pod') {
        const p = o as V1Pod;
        const meshed = p.metadata?.namespace === 'sock-shop' && p.metadata?.labels?.['sidecar.istio.io/inject'] !== 'false';
        this.applies.push(key({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata!.namespace, name: p.metadata!.name! }));
        this.storePod(p, meshed && !this.has('no-sidecar'));
        continue;
      }
      await super.apply([o]);
      if (o.kind === 'PeerAuthentication') this.strictSince = this.m.clock.now();
    }
  }

  async delete(ref: ObjRef) {
    if (ref.kind === 'Pod') return this.pods.delete(key(ref));
    if (ref.kind === 'Namespace') for (const [k, p] of this.pods) if (p.metadata?.namespace === ref.name) this.pods.delete(k);
    return super.delete(ref);
  }

  async command(tool: 'kubectl' | 'istioctl', args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CommandResult> {
    const answer = (exitCode: number, stdout: string, stderr = '') => {
      this.commanded.push([tool, ...args]);
      return { argv: [tool, ...args], exitCode, stdout, stderr };
    };
    if (tool === 'kubectl' && args[0] === 'exec') {
      const [, , ns, pod, , container, , sh, c, script, , url, n] = args;
      if (sh !== 'sh' || c !== '-c' || script !== REQUEST_SCRIPT || container !== 'client' || !url.startsWith('http://front-end.sock-shop')) return answer(126, '', 'unexpected command');
      if (!this.pods.has(`Pod/${ns}/${pod}`)) return answer(1, '', `Error from server (NotFound): pods "${pod}" not found`);
      if (this.has('exec-fails')) return answer(1, '', 'error: unable to upgrade connection: container not found ("client")');
      const meshed = ns === 'sock-shop';
      const lines = Array.from({ length: Number(n) }, (_, i) => {
        const refused = meshed ? this.has('meshed-refused') : this.has('baseline-refused') || (this.strictNow() && !(this.has('partial-leak') && this.random() < 0.05));
        return `request ${i + 1} rc=${refused ? 1 : 0} status=${refused ? '-' : '200'} error=${refused ? RESET : '-'}`;
      });
      return answer(0, `${lines.join('\n')}\n`);
    }
    if (tool === 'istioctl' && args[0] === 'proxy-config' && args[1] === 'secret') {
      if (this.has('secret-fails')) return answer(1, '', 'Error: failed to retrieve proxy secrets: connection refused');
      const pem = this.has('wrong-spiffe') ? OTHER_NAMESPACE_CERT : this.has('expired') ? EXPIRED_CERT : VALID_CERT;
      const b64 = (s: string) => Buffer.from(`${s}\n`).toString('base64');
      const secret = (name: string, body: object) => ({ name, versionInfo: '2026-12-02T10:00:00Z', lastUpdated: '2026-12-02T10:00:00Z', secret: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name, ...body } });
      // The leaf first, then another certificate (as a chain would carry its CA): only the leaf counts.
      const secrets = [
        ...(this.has('no-cert') ? [] : [secret('default', { tlsCertificate: { certificateChain: { inlineBytes: b64(`${pem}\n${VALID_CERT}`) }, privateKey: { inlineBytes: b64('[redacted]') } } })]),
        secret('ROOTCA', { validationContext: { trustedCa: { inlineBytes: b64(VALID_CERT) } } }),
      ];
      return answer(0, JSON.stringify({ dynamicActiveSecrets: secrets }, null, 2));
    }
    return super.command(tool, args, opts);
  }
}
