// Shared by the sock-shop exercises: apply complete objects and read them back (an assertion per
// object), and the diagnostics that explain a failed traffic assertion.
import type { KubernetesObject } from '@kubernetes/client-node';
import { REAL_CLOCK, type Clock } from './clock.ts';
import { ISTIO_NAMESPACE } from '../istio/operator.ts';
import { describeRef, refOf } from '../kube-refs.ts';
import { NS } from './front-end-mesh.ts';
import type { DiagnosticRequest } from './mesh-ops-types.ts';
import { jsonDiff } from './snapshot.ts';
import type { ExerciseRun } from './types.ts';

export interface Intended {
  obj: KubernetesObject;
  /** What the object now does, for the assertion name: "routes v1=80, v2=20 …". */
  holds: string;
}

/** Apply complete objects, then read each back: its spec must be exactly the applied one. */
export async function applyAndVerify(x: ExerciseRun, title: string, items: Intended[]): Promise<void> {
  await x.change(title, () => x.ops.apply(items.map((i) => i.obj)));
  for (const { obj, holds } of items) {
    const live = await x.ops.get(refOf(obj));
    const want = (obj as { spec?: unknown }).spec;
    const diff = live ? jsonDiff(want, (live as { spec?: unknown }).spec) : ['the object is missing after apply'];
    x.record({
      name: `${describeRef(refOf(obj))} ${holds}`,
      status: diff.length === 0 ? 'pass' : 'fail',
      expected: 'the live spec equals the applied spec',
      actual: diff.length === 0 ? 'equal' : `differs: ${diff.join('; ')}`,
      numbers: { differences: diff.length },
    });
  }
}

export const sleep = (ms: number) => REAL_CLOCK.sleep(ms);

/** Poll `probe` until `ok`, at most `timeoutMs` by `clock`; returns the last value and whether it got there. */
export async function pollUntil<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, everyMs = 500, clock: Clock = REAL_CLOCK): Promise<{ value: T; ok: boolean; ms: number }> {
  const t0 = clock.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return { value, ok: true, ms: clock.now() - t0 };
    if (clock.now() - t0 >= timeoutMs) return { value, ok: false, ms: clock.now() - t0 };
    await clock.sleep(everyMs);
  }
}

const GATEWAY = ['-n', ISTIO_NAMESPACE, 'deploy/istio-ingressgateway', '-c', 'istio-proxy'];

/** What explains a failed traffic assertion on the front-end: proxy sync, the gateway's view, the objects, events, logs. */
export function frontEndDiagnostics(statsFocus: (line: string) => boolean, extra: DiagnosticRequest[] = []): DiagnosticRequest[] {
  return [
    { title: 'istioctl proxy-status (is every proxy SYNCED with istiod?)', tool: 'istioctl', args: ['proxy-status'] },
    {
      title: "the gateway's Envoy stats for front-end (pilot-agent request GET stats)",
      tool: 'kubectl',
      args: ['exec', ...GATEWAY, '--', 'pilot-agent', 'request', 'GET', 'stats'],
      filter: statsFocus,
      tailLines: 80,
    },
    { title: `VirtualService ${NS}/front-end`, tool: 'kubectl', args: ['describe', 'virtualservice', 'front-end', '-n', NS] },
    { title: `DestinationRule ${NS}/front-end`, tool: 'kubectl', args: ['describe', 'destinationrule', 'front-end', '-n', NS] },
    { title: `pods in ${NS}`, tool: 'kubectl', args: ['get', 'pods', '-n', NS, '-o', 'wide'] },
    { title: `recent events in ${NS}`, tool: 'kubectl', args: ['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'], tailLines: 25 },
    { title: 'gateway access log (last 40 lines)', tool: 'kubectl', args: ['logs', ...GATEWAY, '--tail=40'] },
    ...extra,
  ];
}

/** Lines of the stats that mention the front-end's clusters. */
export const frontEndStats = (line: string) => line.includes(`|front-end.${NS}.svc.cluster.local`);
