// Why a workload's pods are not starting, as soon as the kubelet says so: an image that cannot be
// pulled (give up at once when the registry says it does not exist, after a grace period for errors
// that may pass, like a rate limit), a container that keeps crashing (report it with its last log
// lines; it may still recover, e.g. a service waiting for its database).
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { LabError } from './errors.ts';
import type { Kube } from './kube.ts';

export interface ContainerProblem {
  pod: string;
  container: string;
  image: string;
  reason: string;
  message: string;
  restartCount: number;
}

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
/** What registries and containerd say when the image or tag is not there, or not yours. */
const PULL_IS_FINAL = /not found|manifest unknown|does not exist|repository .* not found|unauthorized|denied|invalid reference|InvalidImageName/i;
/** Reasons a container is waiting that are worth telling the user while the wait goes on. */
const REPORTED = new Set([...PULL_REASONS, 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function containerProblems(pod: V1Pod): ContainerProblem[] {
  const statuses: V1ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses
    .filter((s) => s.state?.waiting?.reason && REPORTED.has(s.state.waiting.reason))
    .map((s) => ({
      pod: pod.metadata?.name ?? '?',
      container: s.name,
      image: s.image ?? '',
      reason: s.state!.waiting!.reason!,
      message: (s.state!.waiting!.message ?? '').trim(),
      restartCount: s.restartCount ?? 0,
    }));
}

const isPullProblem = (p: ContainerProblem) => PULL_REASONS.has(p.reason);

/** A pull error that will not go away by waiting. */
export function pullIsFinal(p: ContainerProblem, seenForMs: number, graceMs: number): boolean {
  return isPullProblem(p) && (p.reason === 'InvalidImageName' || PULL_IS_FINAL.test(p.message) || seenForMs >= graceMs);
}

export function describeProblem(p: ContainerProblem): string {
  return `pod ${p.pod} container ${p.container}: ${p.reason}${p.restartCount ? ` (restarted ${p.restartCount}×)` : ''}${p.message ? ` — ${p.message}` : ''}`;
}

export interface PodWatchOptions {
  namespace: string;
  labelSelector: string;
  /** What is being waited for, for messages ("deployment sock-shop/carts"). */
  what: string;
  report: (line: string) => void;
  signal: AbortSignal;
  /** A pull error not known to be final is given this long. Default 90 s. */
  pullGraceMs?: number;
  /** Pods that no longer count (an older ReplicaSet's, on its way out): neither reported nor fatal. */
  outdated?: (pod: V1Pod) => Promise<boolean>;
}

/**
 * Watches the pods behind a workload until `signal` aborts. Reports each new problem once (a crash
 * loop with the container's last log lines); rejects with the image named on a final pull error.
 */
export function watchPodProblems(kube: Kube, o: PodWatchOptions): Promise<never> {
  const seen = new Map<string, number>();
  const grace = o.pullGraceMs ?? 90_000;
  return new Promise<never>((_, reject) => {
    const onPod = async (pod: V1Pod) => {
      const problems = containerProblems(pod);
      if (problems.length === 0 || pod.metadata?.deletionTimestamp) return;
      if (o.outdated && (await o.outdated(pod).catch(() => false))) return;
      for (const p of problems) {
        const key = `${p.pod}/${p.container}/${p.reason}`;
        const first = seen.get(key) ?? Date.now();
        if (pullIsFinal(p, Date.now() - first, grace)) {
          reject(new LabError(`${o.what} cannot start: image ${p.image} cannot be pulled (${p.reason})`, {
            detail: 'Check the image name and tag (for the samples: LAB_FRONTEND_V2_IMAGE, LAB_ENG_APP_IMAGE), then run the command again.',
          }));
          return;
        }
        if (seen.has(key)) continue;
        seen.set(key, first);
        const logs = p.reason === 'CrashLoopBackOff' ? await lastLogLines(kube, o.namespace, p.pod, p.container) : undefined;
        o.report(`${o.what}: ${describeProblem(p)}${logs ? `\n  last log lines:\n${logs.replace(/^/gm, '    ')}` : ''}`);
      }
    };
    kube.watchList(`/api/v1/namespaces/${o.namespace}/pods`, { labelSelector: o.labelSelector }, (pod: V1Pod) => void onPod(pod), o.signal);
  });
}

/** The previous run's last lines of a container's log, or why they cannot be read. */
export async function lastLogLines(kube: Kube, namespace: string, pod: string, container: string, lines = 10): Promise<string> {
  try {
    const text = await kube.podLog(namespace, pod, container, { previous: true, tailLines: lines });
    return text.trim() || '(empty)';
  } catch (err) {
    return `(not readable: ${(err as Error).message.split('\n')[0]})`;
  }
}
