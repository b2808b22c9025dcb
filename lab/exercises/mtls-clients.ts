// The mtls exercise's two client pods (manifests/exercises/mtls/clients): one outside the mesh in a
// namespace of its own, one meshed in sock-shop, both busybox (the lab's utility image). Requests
// are sent from inside a client with `kubectl exec … -- sh -c SCRIPT sh URL N TIMEOUT`: one wget per
// request, one line per request with wget's exit code and the HTTP status it read (-S prints the
// status line; none when the connection was reset). Under STRICT a plain-text client's connection is
// closed by the server's sidecar before any answer — curl reports exit 56 (Istio's mtls-migration
// task, istio.io docs/tasks/security/authentication/mtls-migration: the legacy client's "000",
// exit code 56); busybox wget says "error getting response" and exits 1: no status, refused.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { LabError } from '../errors.ts';
import type { ObjRef } from '../kube.ts';
import { refOf } from '../kube-refs.ts';
import { phaseObjects } from './front-end-mesh.ts';
import type { MeshOps } from './mesh-ops-types.ts';

export type ClientName = 'plain' | 'meshed';

export const CLIENT_CONTAINER = 'client';
/** front-end's Service (port 80 → 8079), what every sock-shop page goes through. */
export const TARGET_URL = 'http://front-end.sock-shop.svc.cluster.local/';
/** Seconds one wget may take (busybox wget -T). */
export const REQUEST_TIMEOUT_S = 5;

export function clientObjects(): KubernetesObject[] {
  return phaseObjects('mtls', 'clients');
}

const podNamed = (name: string) => clientObjects().find((o) => o.kind === 'Pod' && o.metadata?.name === name)!;

export const CLIENT_PODS: Record<ClientName, ObjRef> = {
  plain: refOf(podNamed('mtls-plain-client')),
  meshed: refOf(podNamed('mtls-meshed-client')),
};

export const PLAIN_NAMESPACE_REF: ObjRef = refOf(clientObjects().find((o) => o.kind === 'Namespace')!);

/** Positional parameters, never interpolated: $1 URL, $2 requests, $3 timeout (s). */
export const REQUEST_SCRIPT = [
  'i=0',
  'while [ "$i" -lt "$2" ]; do',
  '  i=$((i+1))',
  '  out=$(wget -S -O /dev/null -T "$3" "$1" 2>&1); rc=$?',
  "  code=$(printf '%s\\n' \"$out\" | sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9][0-9]*\\).*/\\1/p' | tail -n 1)",
  "  err=$(printf '%s\\n' \"$out\" | grep -o 'wget: .*' | head -n 1)",
  '  echo "request $i rc=$rc status=${code:--} error=${err:--}"',
  'done',
].join('\n');

export interface RequestOutcome {
  /** wget's exit code. */
  rc: number;
  /** The HTTP status read, null when no answer came (refused, reset, timed out). */
  status: number | null;
  error: string | null;
}

export interface RequestBatch {
  client: ClientName;
  pod: string;
  requested: number;
  outcomes: RequestOutcome[];
  /** Outcomes with any HTTP status / with 200 / with none. */
  answered: number;
  ok: number;
  refused: number;
  /** Why the batch could not run at all (kubectl exec failed), else null. */
  execError: string | null;
  /** The errors wget printed, by text, with counts. */
  errors: Record<string, number>;
}

const LINE = /^request (\d+) rc=(\d+) status=(\S+) error=(.*)$/;

export function parseRequestLines(text: string): RequestOutcome[] {
  return text.split('\n').map((l) => LINE.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null).map((m) => ({
    rc: Number(m[2]),
    status: /^\d+$/.test(m[3]) ? Number(m[3]) : null,
    error: m[4] === '-' ? null : m[4],
  }));
}

export function summarise(client: ClientName, pod: string, requested: number, outcomes: RequestOutcome[], execError: string | null): RequestBatch {
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (o.error) errors[o.error] = (errors[o.error] ?? 0) + 1;
  return {
    client, pod, requested, outcomes, execError, errors,
    answered: outcomes.filter((o) => o.status !== null).length,
    ok: outcomes.filter((o) => o.status === 200).length,
    refused: outcomes.filter((o) => o.status === null).length,
  };
}

/** `n` requests to TARGET_URL from inside one client; an exec that fails is reported, not thrown. */
export async function sendFrom(ops: MeshOps, client: ClientName, n: number): Promise<RequestBatch> {
  const ref = CLIENT_PODS[client];
  const args = ['exec', '-n', ref.namespace!, ref.name, '-c', CLIENT_CONTAINER, '--', 'sh', '-c', REQUEST_SCRIPT, 'sh', TARGET_URL, String(n), String(REQUEST_TIMEOUT_S)];
  const r = await ops.command('kubectl', args, { timeoutMs: n * (REQUEST_TIMEOUT_S + 1) * 1000 + 30_000 });
  const outcomes = parseRequestLines(r.stdout);
  const execError = outcomes.length === n ? null : `kubectl exec into ${ref.namespace}/${ref.name} exited ${r.exitCode} after ${outcomes.length} of ${n} requests: ${r.stderr.trim().split('\n').slice(-2).join('; ')}`;
  return summarise(client, ref.name, n, outcomes, execError);
}

export { podReady } from '../conditions.ts';

/** The containers of a live pod (istio-proxy among them when Istio injected a sidecar; a native
 * sidecar is an init container). */
export function containersOf(p: KubernetesObject | undefined): string[] {
  const pod = p as V1Pod | undefined;
  if (!pod) throw new LabError('the client pod is gone');
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
}
