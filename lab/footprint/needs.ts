// What preflight asks of the container engine for a profile, derived from the footprint (not
// guessed): the pods' requests, plus what the cluster itself uses that no manifest of ours requests
// (kind's control plane — kube-apiserver, etcd, controller-manager, scheduler, CoreDNS — and each
// node's kubelet and containerd), plus headroom for the spikes of start-up (JVMs, Prometheus WAL
// replay), rounded up to whole CPUs and whole GiB: the sizes a Docker Desktop VM is set to.
import type { ProfileFootprint } from './profile.ts';
import { GiB } from './quantity.ts';

/** kind's control plane requests 0.95 CPU (apiserver 250m, controller-manager 200m, scheduler 100m,
 * etcd 100m, CoreDNS 2 × 100m, kindnet 100m) and uses ≈ 1 GiB; kubelet + containerd ≈ 100 MiB a node. */
export const CLUSTER_OVERHEAD = { cpu: 1.0, memory: 1 * GiB, memoryPerNode: 100 * 2 ** 20 };
export const HEADROOM = { cpu: 0.5, memory: 0.5 * GiB };
/** Docker Desktop and Podman machines report a little less memory than they are given (the guest
 * kernel keeps some): a VM set to N GiB shows ≈ 0.96 N. Preflight accepts down to this share. */
export const REPORTED_MEMORY_SHARE = 0.93;

export interface EngineNeeds {
  cpus: number;
  memoryMiB: number;
}

export function needsFor(f: ProfileFootprint): EngineNeeds {
  const cpu = f.total.cpuRequest + CLUSTER_OVERHEAD.cpu + HEADROOM.cpu;
  const mem = f.total.memRequest + CLUSTER_OVERHEAD.memory + CLUSTER_OVERHEAD.memoryPerNode * f.nodes + HEADROOM.memory;
  return { cpus: Math.max(2, Math.ceil(cpu)), memoryMiB: Math.ceil(mem / GiB) * 1024 };
}

/** The least memory an engine may report and still pass for `needMiB`. */
export const acceptedMemoryMiB = (needMiB: number) => Math.floor(needMiB * REPORTED_MEMORY_SHARE);
