// Who publishes a host port: kind's node containers, as `docker ps` lists them. kind labels every
// node container io.x-k8s.kind.cluster=<cluster> and publishes extraPortMappings with
// `--publish=<listenAddress>:<hostPort>:<containerPort>/TCP` (kind pkg/cluster/internal/providers/
// docker/provision.go); a running container's published port is held by Docker (docker-proxy), so
// the lab's own ingress ports are never "free" while its cluster runs.
import type { Runner } from '../run.ts';

export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

/** One row per running kind node container: cluster, container name, Ports column. */
export const DOCKER_PS_ARGS = ['ps', '--filter', `label=${KIND_CLUSTER_LABEL}`, '--format', `{{.Label "${KIND_CLUSTER_LABEL}"}}\t{{.Names}}\t{{.Ports}}`];

export interface PublishedPort {
  cluster: string;
  container: string;
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/**
 * docker's Ports column: entries joined by ", ", each `<hostIp>:<hostPort>-><containerPort>/<proto>`
 * (docker/cli formatter DisplayablePorts; ranges as `a-b->c-d/tcp`; IPv6 hosts as `[::1]:8080`).
 * Entries without a host side ("6443/tcp") are not published.
 */
export function parsePorts(column: string): Array<{ hostIp: string; hostPort: number; containerPort: number }> {
  const out: Array<{ hostIp: string; hostPort: number; containerPort: number }> = [];
  for (const entry of column.split(',').map((e) => e.trim()).filter(Boolean)) {
    const m = /^(.*):(\d+)(?:-(\d+))?->(\d+)(?:-(\d+))?\/(tcp|udp|sctp)$/i.exec(entry);
    if (!m || m[6].toLowerCase() !== 'tcp') continue;
    const [from, to, cFrom] = [Number(m[2]), Number(m[3] ?? m[2]), Number(m[4])];
    for (let p = from; p <= to; p++) out.push({ hostIp: m[1].replace(/^\[|\]$/g, ''), hostPort: p, containerPort: cFrom + (p - from) });
  }
  return out;
}

export function parseDockerPs(stdout: string): PublishedPort[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((line) => {
      const [cluster, container, ports = ''] = line.split('\t');
      return parsePorts(ports).map((p) => ({ cluster, container, ...p }));
    });
}

/** The kind node container publishing `port`, if any (undefined when docker cannot be asked). */
export async function kindPortHolder(run: Runner, docker: string, port: number): Promise<PublishedPort | undefined> {
  const res = await run.run(docker, DOCKER_PS_ARGS, { timeoutMs: 20_000 }).catch(() => undefined);
  if (!res || res.exitCode !== 0) return undefined;
  return parseDockerPs(res.stdout).find((p) => p.hostPort === port && ['127.0.0.1', '0.0.0.0', '', '::', 'localhost'].includes(p.hostIp));
}
