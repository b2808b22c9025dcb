// What a workload asks the scheduler for: per pod, the larger of its biggest init container and the
// sum of its containers (how the scheduler computes a pod's effective request), times its pods.
import { parseQuantity } from './quantity.ts';

export interface ContainerResources {
  name: string;
  init?: boolean;
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export interface Footprint {
  cpuRequest: number;
  memRequest: number;
  /** Sum of memory limits; a container without one counts its request (and is listed in `unbounded`). */
  memLimit: number;
  unbounded: string[];
}

export const zero = (): Footprint => ({ cpuRequest: 0, memRequest: 0, memLimit: 0, unbounded: [] });

export function add(a: Footprint, b: Footprint): Footprint {
  return { cpuRequest: a.cpuRequest + b.cpuRequest, memRequest: a.memRequest + b.memRequest, memLimit: a.memLimit + b.memLimit, unbounded: [...a.unbounded, ...b.unbounded] };
}

export function scale(f: Footprint, n: number): Footprint {
  return { cpuRequest: f.cpuRequest * n, memRequest: f.memRequest * n, memLimit: f.memLimit * n, unbounded: n > 0 ? f.unbounded : [] };
}

/** One pod of `containers`, named `what` in the unbounded list. */
export function podFootprint(what: string, containers: ContainerResources[]): Footprint {
  const one = (c: ContainerResources): Footprint => {
    const memReq = parseQuantity(c.requests?.memory);
    const lim = parseQuantity(c.limits?.memory);
    return { cpuRequest: parseQuantity(c.requests?.cpu), memRequest: memReq, memLimit: lim || memReq, unbounded: lim ? [] : [`${what}/${c.name}`] };
  };
  const apps = containers.filter((c) => !c.init).map(one).reduce(add, zero());
  const inits = containers.filter((c) => c.init).map(one);
  const maxInit = (k: 'cpuRequest' | 'memRequest' | 'memLimit') => Math.max(0, ...inits.map((f) => f[k]));
  return {
    cpuRequest: Math.max(apps.cpuRequest, maxInit('cpuRequest')),
    memRequest: Math.max(apps.memRequest, maxInit('memRequest')),
    memLimit: Math.max(apps.memLimit, maxInit('memLimit')),
    unbounded: apps.unbounded,
  };
}
