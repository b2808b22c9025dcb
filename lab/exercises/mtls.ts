// mtls (seed 003, セキュリティ): Istio's sidecars talk mutual TLS with each other on their own (auto
// mTLS), but under the mesh default (PERMISSIVE) a workload still accepts plain text from anything
// outside the mesh. A PeerAuthentication STRICT for sock-shop (manifests/exercises/mtls/strict)
// closes that door: from a client pod in a namespace without sidecars every request is refused,
// from a meshed client (its sidecar speaks mTLS) every request is answered; and the certificate
// front-end's sidecar presents names the workload — spiffe://cluster.local/ns/sock-shop/sa/<its
// service account> — and is valid now. The client pods and the plain one's namespace are the
// exercise's own and are removed; the PeerAuthentication is put back as it was (none: PERMISSIVE).
// On sim the objects are applied, read back and removed; the traffic and the certificate are skipped.
import type { V1Pod } from '@kubernetes/client-node';
import { LabError } from '../errors.ts';
import type { ObjRef } from '../kube.ts';
import { refOf } from '../kube-refs.ts';
import { judge } from './assertions.ts';
import { REAL_CLOCK, type Clock } from './clock.ts';
import { applyAndVerify, pollUntil } from './exercise-helpers.ts';
import { NS, phaseObjects } from './front-end-mesh.ts';
import { readWorkloadCert, spiffeId } from './mtls-cert.ts';
import { CLIENT_PODS, clientObjects, containersOf, PLAIN_NAMESPACE_REF, podReady, sendFrom, type RequestBatch } from './mtls-clients.ts';
import { BASELINE_N, baselineSpecs, certSpecs, enforcementSpec, meshedSpec, plainSpec, SAMPLE_N, type Baseline, type CertObservation, type Enforcement } from './mtls-specs.ts';
import type { Exercise, ExerciseRun } from './types.ts';

export interface MtlsTiming {
  /** Until both client pods are Running and Ready (an image pull, a sidecar injection). */
  podsReadyTimeoutMs: number;
  /** Until a plain request is refused after STRICT is applied. */
  enforceTimeoutMs: number;
  /** Until an object left by an earlier run (--keep) is gone. */
  goneTimeoutMs: number;
  pollMs: number;
  clock: Clock;
}

export const MTLS_TIMING: MtlsTiming = { podsReadyTimeoutMs: 180_000, enforceTimeoutMs: 60_000, goneTimeoutMs: 120_000, pollMs: 1_000, clock: REAL_CLOCK };

export const strictObjects = () => phaseObjects('mtls', 'strict');
export const PEER_AUTH_REF: ObjRef = refOf(strictObjects()[0]);
/** front-end v1's pods (its Deployment's selector), whose certificate is read. */
export const FRONT_END_PODS = 'app=front-end,version=v1';

export interface MtlsObserved {
  baseline: Baseline | undefined;
  enforced: Enforcement | undefined;
  plain: RequestBatch | undefined;
  meshed: RequestBatch | undefined;
  cert: CertObservation | undefined;
}

async function untilGone(x: ExerciseRun, ref: ObjRef, t: MtlsTiming): Promise<void> {
  const what = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  await x.change(`delete ${what} left by an earlier run`, () => x.ops.delete(ref));
  const gone = await x.wait(`until ${what} is gone`, () => pollUntil(() => x.ops.get(ref), (o) => o === undefined, t.goneTimeoutMs, t.pollMs, t.clock));
  if (!gone.ok) throw new LabError(`${what} from an earlier run is still there ${gone.ms} ms after its deletion`);
}

async function readCert(x: ExerciseRun, clock: Clock): Promise<CertObservation> {
  const pods = (await x.ops.list('v1', 'Pod', { namespace: NS, labelSelector: FRONT_END_PODS })).filter((p) => podReady(p) && !p.metadata?.deletionTimestamp) as V1Pod[];
  if (pods.length === 0) throw new LabError(`no ready front-end pod in ${NS} (${FRONT_END_PODS})`);
  const pod = pods[0];
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  const r = await x.ops.command('istioctl', ['proxy-config', 'secret', pod.metadata!.name!, '-n', NS, '-o', 'json']);
  return {
    pod: pod.metadata!.name!, serviceAccount, expectedId: spiffeId(NS, serviceAccount), exitCode: r.exitCode,
    cert: r.exitCode === 0 ? readWorkloadCert(r.stdout) : { problem: r.stderr.trim().split('\n').slice(-2).join('; ') || 'no output' },
    checkedAtMs: clock.now(),
  };
}

export function makeMtls(t: MtlsTiming = MTLS_TIMING): Exercise<void, MtlsObserved> {
  const plainRef = CLIENT_PODS.plain;
  const meshedRef = CLIENT_PODS.meshed;
  return {
    name: 'mtls',
    summary: `PeerAuthentication STRICT for sock-shop: ${SAMPLE_N} plain-text requests from outside the mesh all refused, ${SAMPLE_N} from a meshed client all 200; front-end's certificate carries its SPIFFE id and is valid`,
    needs: ['istio', 'samples'],
    manifests: () => ({ clients: clientObjects(), strict: strictObjects() }),

    async setup(x) {
      for (const ref of [meshedRef, PLAIN_NAMESPACE_REF]) if (await x.ops.get(ref)) await untilGone(x, ref, t);
      await x.save([PEER_AUTH_REF, PLAIN_NAMESPACE_REF, plainRef, meshedRef]);
      await x.change(`create namespace ${PLAIN_NAMESPACE_REF.name} (no sidecar injection) and the two client pods`, () => x.ops.apply(clientObjects()));
      const ready = await x.wait(`until both client pods are Running and Ready (≤ ${t.podsReadyTimeoutMs / 1000} s)`, () =>
        pollUntil(async () => [podReady(await x.ops.get(plainRef)), podReady(await x.ops.get(meshedRef))], (r) => r.every(Boolean), t.podsReadyTimeoutMs, t.pollMs, t.clock));
      if (!ready.ok) throw new LabError(`the client pods are not ready after ${ready.ms} ms (plain ${ready.value[0] ? 'ready' : 'not ready'}, meshed ${ready.value[1] ? 'ready' : 'not ready'})`);
    },

    async act(x) {
      const baseline = await x.traffic(`baseline (PERMISSIVE): ${BASELINE_N} requests from the plain client to front-end`, async () => ({
        batch: await sendFrom(x.ops, 'plain', BASELINE_N),
        plainContainers: containersOf(await x.ops.get(plainRef)),
        meshedContainers: containersOf(await x.ops.get(meshedRef)),
      }));
      await applyAndVerify(x, `require mutual TLS in ${NS} (PeerAuthentication STRICT)`, strictObjects().map((obj) => ({ obj, holds: `requires mutual TLS (STRICT) for every ${NS} workload` })));
      const enforced = await x.traffic(`until a plain-text request is refused (≤ ${t.enforceTimeoutMs / 1000} s)`, async () => {
        const r = await pollUntil(() => sendFrom(x.ops, 'plain', 1), (b) => b.execError === null && b.refused === 1, t.enforceTimeoutMs, t.pollMs, t.clock);
        return { ok: r.ok, ms: r.ms, timeoutMs: t.enforceTimeoutMs, last: r.value };
      });
      const plain = await x.traffic(`${SAMPLE_N} requests from the plain client (outside the mesh)`, () => sendFrom(x.ops, 'plain', SAMPLE_N));
      const meshed = await x.traffic(`${SAMPLE_N} requests from the meshed client (through its sidecar)`, () => sendFrom(x.ops, 'meshed', SAMPLE_N));
      const cert = await x.traffic("front-end's workload certificate (istioctl proxy-config secret)", () => readCert(x, t.clock));
      return { baseline, enforced, plain, meshed, cert };
    },

    assert: (o, skipReason) => [
      ...judge(o.baseline, skipReason, baselineSpecs),
      ...judge(o.enforced, skipReason, [enforcementSpec(t.enforceTimeoutMs)]),
      ...judge(o.plain, skipReason, [plainSpec]),
      ...judge(o.meshed, skipReason, [meshedSpec]),
      ...judge(o.cert, skipReason, certSpecs),
    ],

    // The pods and the namespace are deleted, the PeerAuthentication re-applied as it was or deleted.
    async cleanup(x) {
      await x.restore();
    },

    diagnose: (x) =>
      x.ops.collect([
        { title: 'PeerAuthentications (every namespace)', tool: 'kubectl', args: ['get', 'peerauthentications.security.istio.io', '-A', '-o', 'yaml'], tailLines: 60 },
        { title: 'istioctl proxy-status (is every proxy SYNCED with istiod?)', tool: 'istioctl', args: ['proxy-status'] },
        { title: 'the meshed client', tool: 'kubectl', args: ['describe', 'pod', meshedRef.name, '-n', meshedRef.namespace!], tailLines: 30 },
        { title: 'the plain client', tool: 'kubectl', args: ['describe', 'pod', plainRef.name, '-n', plainRef.namespace!], tailLines: 30 },
        { title: "front-end's sidecar log (refused connections show as TLS errors)", tool: 'kubectl', args: ['logs', '-n', NS, 'deploy/front-end', '-c', 'istio-proxy', '--tail=40'] },
        { title: "front-end's inbound listener (its filter chains' TLS)", tool: 'istioctl', args: ['proxy-config', 'listener', 'deploy/front-end', '-n', NS, '--port', '15006'], tailLines: 40 },
      ]),
  };
}

export const mtls = makeMtls();
