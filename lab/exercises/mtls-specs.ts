// The mtls exercise's assertions, pure: the plain client reaches front-end before (PERMISSIVE, the
// mesh default), is refused within a deadline once STRICT is applied, and then every one of N
// requests is refused while all N from the meshed client are answered 200; the meshed client really
// has a sidecar; front-end's workload certificate names its service account's SPIFFE id and is
// valid at the time it was read.
import { zeroLeakSampleSize, type AssertionSpec } from './assertions.ts';
import type { WorkloadCert } from './mtls-cert.ts';
import type { RequestBatch } from './mtls-clients.ts';

/** N: a plain-text leak of ≥ 5 % of requests shows at least once with 99 % confidence — ⌈ln 0.01 / ln 0.95⌉ = 90. */
export const SAMPLE_N = zeroLeakSampleSize(0.05, 0.99);
/** Requests of the PERMISSIVE baseline. */
export const BASELINE_N = 5;

export interface Baseline {
  batch: RequestBatch;
  plainContainers: string[];
  meshedContainers: string[];
}

export interface Enforcement {
  ok: boolean;
  ms: number;
  timeoutMs: number;
  last: RequestBatch;
}

export interface CertObservation {
  pod: string;
  serviceAccount: string;
  expectedId: string;
  exitCode: number | null;
  cert: WorkloadCert | { problem: string };
  checkedAtMs: number;
}

const errorsOf = (b: RequestBatch) => Object.entries(b.errors).map(([e, n]) => `${e} ×${n}`).join(', ') || 'none';
const statusesOf = (b: RequestBatch) => {
  const by: Record<string, number> = {};
  for (const o of b.outcomes) by[o.status === null ? 'none' : String(o.status)] = (by[o.status === null ? 'none' : String(o.status)] ?? 0) + 1;
  return Object.entries(by).map(([s, n]) => `${s} ×${n}`).join(', ');
};
/** With 0 of n leaked, the leak rate is below this at 99 % confidence. */
const leakBoundPct = (n: number) => (n > 0 ? +(100 * (1 - 0.01 ** (1 / n))).toFixed(2) : null);

export const baselineSpecs: AssertionSpec<Baseline>[] = [
  {
    name: `baseline (PERMISSIVE): the plain client reaches front-end, ${BASELINE_N} of ${BASELINE_N} answered 200`,
    expected: `${BASELINE_N} of ${BASELINE_N} requests from outside the mesh answered 200 before STRICT (so a refusal later is STRICT's doing)`,
    judge: ({ batch: b }) => ({
      pass: b.execError === null && b.ok === BASELINE_N,
      actual: b.execError ?? `${b.ok} of ${b.requested} answered 200 (statuses: ${statusesOf(b)}; errors: ${errorsOf(b)})`,
      numbers: { ok: b.ok, answered: b.answered, requested: b.requested },
    }),
  },
  {
    name: 'the meshed client has an Envoy sidecar (istio-proxy), the plain client none',
    expected: 'istio-proxy among the meshed pod\'s containers and not among the plain pod\'s',
    judge: ({ plainContainers: p, meshedContainers: m }) => ({
      pass: m.includes('istio-proxy') && !p.includes('istio-proxy'),
      actual: `meshed: ${m.join(', ')}; plain: ${p.join(', ')}`,
      numbers: { meshedContainers: m.length, plainContainers: p.length },
    }),
  },
];

export const enforcementSpec = (timeoutMs: number): AssertionSpec<Enforcement> => ({
  name: `STRICT enforced: the plain client refused within ${timeoutMs / 1000} s of the apply`,
  expected: `a request from outside the mesh gets no HTTP answer within ${timeoutMs} ms (istiod pushes the policy to front-end's sidecar)`,
  judge: (e) => ({
    pass: e.ok,
    actual: e.ok ? `refused after ${e.ms} ms (${errorsOf(e.last)})` : `still answered after ${e.ms} ms (${e.last.execError ?? statusesOf(e.last)})`,
    numbers: { ms: e.ms, timeoutMs: e.timeoutMs },
  }),
});

export const plainSpec: AssertionSpec<RequestBatch> = {
  name: `STRICT: ${SAMPLE_N} of ${SAMPLE_N} plain-text requests refused (0 answered)`,
  expected: `0 of ${SAMPLE_N} requests from outside the mesh get an HTTP status (0 of ${SAMPLE_N} bounds a leak below ${leakBoundPct(SAMPLE_N)} % at 99 %)`,
  judge: (b) => ({
    pass: b.execError === null && b.answered === 0 && b.refused === SAMPLE_N,
    actual: b.execError ?? `${b.refused} of ${b.requested} refused, ${b.answered} answered (statuses: ${statusesOf(b)}; errors: ${errorsOf(b)})`,
    numbers: { refused: b.refused, answered: b.answered, requested: b.requested, leakUpperPct: b.answered === 0 ? leakBoundPct(b.requested) : null },
  }),
};

export const meshedSpec: AssertionSpec<RequestBatch> = {
  name: `STRICT: ${SAMPLE_N} of ${SAMPLE_N} requests from the meshed client answered 200`,
  expected: `all ${SAMPLE_N} requests through the client's sidecar (mutual TLS) answered 200`,
  judge: (b) => ({
    pass: b.execError === null && b.ok === SAMPLE_N,
    actual: b.execError ?? `${b.ok} of ${b.requested} answered 200 (statuses: ${statusesOf(b)}; errors: ${errorsOf(b)})`,
    numbers: { ok: b.ok, answered: b.answered, refused: b.refused, requested: b.requested },
  }),
};

const certOf = (o: CertObservation): WorkloadCert | undefined => ('problem' in o.cert ? undefined : o.cert);
const noCert = (o: CertObservation) => ('problem' in o.cert ? `no certificate (istioctl exit ${o.exitCode}): ${o.cert.problem}` : '');

export const certSpecs: AssertionSpec<CertObservation>[] = [
  {
    name: "front-end's workload certificate carries its SPIFFE id spiffe://cluster.local/ns/sock-shop/sa/<service account>",
    expected: 'the default secret\'s leaf has exactly one URI SAN, spiffe://cluster.local/ns/sock-shop/sa/<the pod\'s serviceAccountName>',
    judge: (o) => {
      const c = certOf(o);
      return {
        pass: c !== undefined && c.uris.length === 1 && c.uris[0] === o.expectedId,
        actual: c ? `${o.pod}: URI SAN ${c.uris.join(', ') || 'none'} (service account ${o.serviceAccount})` : noCert(o),
        numbers: { uris: c?.uris.length ?? 0, expected: o.expectedId, actual: c?.uris.join(',') ?? null },
      };
    },
  },
  {
    name: "front-end's workload certificate is valid now (notBefore ≤ now ≤ notAfter)",
    expected: 'notBefore ≤ the time it was read ≤ notAfter',
    judge: (o) => {
      const c = certOf(o);
      const valid = c !== undefined && c.notBeforeMs <= o.checkedAtMs && o.checkedAtMs <= c.notAfterMs;
      return {
        pass: valid,
        actual: c ? `${c.notBefore} → ${c.notAfter}, read at ${new Date(o.checkedAtMs).toISOString()}${valid ? `; ${((c.notAfterMs - o.checkedAtMs) / 3_600_000).toFixed(1)} h left` : ''}` : noCert(o),
        numbers: { notBeforeMs: c?.notBeforeMs ?? null, notAfterMs: c?.notAfterMs ?? null, checkedAtMs: o.checkedAtMs, hoursLeft: c ? +((c.notAfterMs - o.checkedAtMs) / 3_600_000).toFixed(2) : null },
      };
    },
  },
];
