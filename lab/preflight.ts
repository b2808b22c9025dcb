// Preflight (`lab doctor`, first step of `up`): is this host ready for the chosen provider and
// profile? Every probe goes through `Probes`, so tests give fake answers and the real ones run here.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type { LabConfig } from './config.ts';
import { GITOPS_NEEDS, PROFILE_NEEDS } from './config-keys.ts';
import { acceptedMemoryMiB } from './footprint/needs.ts';
import type { Runner } from './run.ts';
import { dataDirProblem } from './data-dir.ts';
import { notNative } from './image-facts.ts';
import { TOOLS, UTILITY_IMAGE } from './versions.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface CheckOutcome {
  name: string;
  status: CheckStatus;
  message: string;
  fix?: string;
  /** A missing CLI the installer can fetch at its pinned version. */
  installable?: string;
}

export interface EngineInfo {
  name: 'docker' | 'podman';
  cpus: number;
  memoryBytes: number;
}

export interface Probes {
  engine(): Promise<EngineInfo | { error: string }>;
  toolVersion(tool: string): Promise<string | undefined>;
  sysctl(key: string): Promise<number | undefined>;
  portFree(port: number): Promise<boolean>;
  arch(): string;
  platform(): string;
  /** Why you cannot use this data directory (lab/data-dir.ts), or undefined. */
  dataDirProblem(dir: string): string | undefined;
  /** Can the engine run linux/amd64 images (emulation)? Runs a tiny amd64 container once. */
  runsAmd64(engine: EngineInfo['name']): Promise<boolean>;
}

export const INOTIFY_MIN = { 'fs.inotify.max_user_watches': 524288, 'fs.inotify.max_user_instances': 512 } as const;

export interface PreflightNeeds {
  tools: string[];
  engine: boolean;
  /** Ports the provider publishes on 127.0.0.1, by the setting that names them. */
  hostPorts?: Array<{ key: string; port: number }>;
  /** Who holds a port that is not free (the provider asks its engine). */
  portHolder?: (port: number) => Promise<{ own: boolean; who: string } | undefined>;
  /** Images the cluster will pull (lab/images.ts), checked against the nodes' architecture. */
  images?: string[];
  /** LAB_DATA_DIR, when the cluster mounts it from the host. */
  dataDir?: string;
}

export async function runPreflight(cfg: LabConfig, probes: Probes, needs: PreflightNeeds): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  const arch = probes.arch();
  out.push(
    ['amd64', 'arm64'].includes(arch)
      ? { name: 'architecture', status: 'ok', message: `${probes.platform()}/${arch}` }
      : { name: 'architecture', status: 'fail', message: `${arch} is not supported by kind/Istio images`, fix: 'use an amd64 or arm64 machine' },
  );
  const engine = needs.engine ? await probes.engine() : undefined;
  if (engine) out.push(...engineChecks(cfg, engine));
  if (engine && !('error' in engine) && arch === 'arm64' && needs.images) out.push(...(await arm64Checks(needs.images, engine.name, probes)));
  for (const tool of needs.tools) out.push(await toolCheck(tool, probes));
  if (needs.engine && probes.platform() === 'linux') out.push(...(await inotifyChecks(probes)));
  for (const { key, port } of needs.hostPorts ?? []) out.push(await portCheck(key, port, probes, needs.portHolder));
  if (needs.dataDir) {
    const problem = probes.dataDirProblem(needs.dataDir);
    out.push(
      problem
        ? { name: 'data directory', status: 'fail', message: `LAB_DATA_DIR: ${problem}`, fix: `sudo chown -R "$(id -u):$(id -g)" ${needs.dataDir} (or set LAB_DATA_DIR to a directory of yours)` }
        : { name: 'data directory', status: 'ok', message: `${needs.dataDir} is yours to write` },
    );
  }
  return out;
}

/** Free, or held by the lab's own cluster (a second `up`, or `up --recreate`): fine. Else name the holder. */
async function portCheck(key: string, port: number, probes: Probes, holder?: PreflightNeeds['portHolder']): Promise<CheckOutcome> {
  const name = `port ${port}`;
  if (await probes.portFree(port)) return { name, status: 'ok', message: `127.0.0.1:${port} is free` };
  const h = await holder?.(port);
  if (h?.own) return { name, status: 'ok', message: `127.0.0.1:${port} is held by ${h.who}` };
  return {
    name,
    status: 'fail',
    message: `127.0.0.1:${port} is in use${h ? ` by ${h.who}` : ' by another program'}`,
    fix: h ? `delete that cluster (kind delete cluster --name ${h.who.split(' ')[2]}) or set ${key} to a free port` : `stop what listens there (e.g. lsof -iTCP:${port} -sTCP:LISTEN), or set ${key} to a free port`,
  };
}

function engineChecks(cfg: LabConfig, info: EngineInfo | { error: string }): CheckOutcome[] {
  if ('error' in info) {
    return [{ name: 'container engine', status: 'fail', message: info.error, fix: 'install and start Docker (or Podman), then check with: docker info' }];
  }
  const gitops = cfg.gitops === 'argocd';
  const need = gitops ? GITOPS_NEEDS[cfg.profile] : PROFILE_NEEDS[cfg.profile];
  const what = `profile ${cfg.profile}${gitops ? ' with LAB_GITOPS=argocd' : ''}`;
  const smaller = gitops ? 'or set LAB_PROFILE=minimal or LAB_GITOPS=off' : 'or set LAB_PROFILE=minimal';
  const memMiB = Math.floor(info.memoryBytes / 1024 / 1024);
  const res: CheckOutcome[] = [{ name: 'container engine', status: 'ok', message: `${info.name} is running` }];
  res.push(
    info.cpus >= need.cpus
      ? { name: 'engine CPUs', status: 'ok', message: `${info.cpus} CPUs (${what} needs ${need.cpus})` }
      : { name: 'engine CPUs', status: 'fail', message: `${info.name} has ${info.cpus} CPUs; ${what} needs ${need.cpus}`, fix: `give ${info.name} more CPUs, ${smaller}` },
  );
  res.push(
    memMiB >= acceptedMemoryMiB(need.memoryMiB)
      ? { name: 'engine memory', status: 'ok', message: `${memMiB} MiB (${what} needs a ${need.memoryMiB / 1024} GiB engine)` }
      : { name: 'engine memory', status: 'fail', message: `${info.name} has ${memMiB} MiB; ${what} needs ${need.memoryMiB} MiB (a ${need.memoryMiB / 1024} GiB engine reports ≥ ${acceptedMemoryMiB(need.memoryMiB)} MiB)`, fix: `give ${info.name} ${need.memoryMiB / 1024} GiB or more, ${smaller}` },
  );
  return res;
}

/**
 * The nodes of a kind/minikube cluster have the host's architecture. An image published for amd64
 * only pulls on an arm64 node (a single-arch manifest is not platform-checked) and then fails to
 * start with "exec format error" — unless the engine emulates amd64 (Docker Desktop: Rosetta or
 * QEMU; Linux: binfmt handlers), which this asks the engine itself.
 */
async function arm64Checks(images: string[], engine: EngineInfo['name'], probes: Probes): Promise<CheckOutcome[]> {
  const { missing, unknown } = notNative(images, 'linux/arm64');
  const out: CheckOutcome[] = [];
  if (unknown.length) {
    out.push({ name: 'images for arm64', status: 'warn', message: `platforms not recorded for ${unknown.join(', ')} (your override): if they are amd64-only they need emulation` });
  }
  if (missing.length === 0) {
    out.push({ name: 'images for arm64', status: 'ok', message: 'every image the lab pulls is published for linux/arm64' });
    return out;
  }
  const list = missing.map((i) => i.replace(/^docker\.io\//, '')).join(', ');
  if (await probes.runsAmd64(engine)) {
    out.push({ name: 'images for arm64', status: 'ok', message: `${missing.length} images are amd64-only and will run through ${engine}'s amd64 emulation (slower; JVM services take minutes to start): ${list}` });
  } else {
    out.push({
      name: 'images for arm64',
      status: 'fail',
      message: `${missing.length} images the lab runs are published for linux/amd64 only, and ${engine} cannot run amd64 containers here, so those pods would never start (exec format error): ${list}. No faithful arm64 build exists for them (weaveworksdemos' sock-shop images and eng_app were built for amd64 only; Oracle published no arm64 MySQL 5.7)`,
      fix: engine === 'docker'
        ? "turn on amd64 emulation: Docker Desktop → Settings → General → 'Use Rosetta for x86_64/amd64 emulation on Apple Silicon' (or keep QEMU), then run again; on Linux arm64 register QEMU binfmt handlers (e.g. docker run --privileged --rm tonistiigi/binfmt --install amd64)"
        : 'register QEMU binfmt handlers for amd64 in the podman machine (podman machine ssh, then install qemu-user-static), then run again',
    });
  }
  return out;
}

async function toolCheck(tool: string, probes: Probes): Promise<CheckOutcome> {
  const pin = TOOLS[tool as keyof typeof TOOLS];
  const have = await probes.toolVersion(tool);
  if (!have) {
    return { name: tool, status: 'fail', message: `${tool} is not installed`, fix: `run: npm run lab -- doctor --install (installs ${tool} ${pin?.version ?? ''} into .lab/bin)`, installable: pin ? tool : undefined };
  }
  if (pin && compareVersions(have, pin.min) < 0) {
    return { name: tool, status: 'fail', message: `${tool} ${have} is older than ${pin.min}${pin.rangeWhy ? ` (${pin.rangeWhy})` : ''}`, fix: `upgrade ${tool}, or run: npm run lab -- doctor --install (installs ${pin.version} into .lab/bin, used before PATH)`, installable: tool };
  }
  if (pin?.below && compareVersions(have, pin.below) >= 0) {
    return { name: tool, status: 'fail', message: `${tool} ${have} is too new: the lab accepts ${pin.min} up to, not including, ${pin.below} (${pin.rangeWhy})`, fix: `run: npm run lab -- doctor --install (installs ${pin.version} into .lab/bin, used before PATH)`, installable: tool };
  }
  return { name: tool, status: 'ok', message: `${tool} ${have}` };
}

async function inotifyChecks(probes: Probes): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  for (const [key, min] of Object.entries(INOTIFY_MIN)) {
    const v = await probes.sysctl(key);
    if (v === undefined) continue;
    out.push(
      v >= min
        ? { name: key, status: 'ok', message: `${v}` }
        : { name: key, status: 'fail', message: `${key} is ${v}; Loki/Alloy on kind fail with "too many open files" below ${min}`, fix: `sudo sysctl -w ${key}=${min} (persist it in /etc/sysctl.d/99-lab.conf)` },
    );
  }
  return out;
}

/** Compare dotted versions, ignoring a leading v and any suffix after the numbers. */
export function compareVersions(a: string, b: string): number {
  const nums = (v: string) => (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1, 4).map((x) => Number(x ?? 0));
  const [x, y] = [nums(a), nums(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

const VERSION_ARGS: Record<string, string[]> = {
  kind: ['version'],
  kubectl: ['version', '--client=true', '-o', 'json'],
  helm: ['version', '--short'],
  istioctl: ['version', '--remote=false', '--short'],
  minikube: ['version', '--short'],
  docker: ['--version'],
  podman: ['--version'],
};

/** Probes against the real host. */
export function hostProbes(run: Runner, tool: (name: string) => string): Probes {
  return {
    async engine() {
      for (const name of ['docker', 'podman'] as const) {
        const res = await run.run(tool(name), ['info', '--format', '{{json .}}'], { timeoutMs: 20_000 }).catch(() => undefined);
        if (!res) continue;
        if (res.exitCode === 0) {
          try {
            const doc = JSON.parse(res.stdout) as { NCPU?: number; MemTotal?: number; host?: { cpus?: number; memTotal?: number } };
            return { name, cpus: doc.NCPU ?? doc.host?.cpus ?? 0, memoryBytes: doc.MemTotal ?? doc.host?.memTotal ?? 0 };
          } catch {
            return { error: `${name} info printed something that is not JSON` };
          }
        }
        if (name === 'docker') {
          const reason = (res.stderr || res.stdout).trim().split('\n')[0];
          return { error: `docker is installed but its engine is not reachable (${reason || `exit ${res.exitCode}`})` };
        }
      }
      return { error: 'no container engine found (docker or podman)' };
    },
    async toolVersion(name) {
      const res = await run.run(tool(name), VERSION_ARGS[name] ?? ['--version'], { timeoutMs: 20_000 }).catch(() => undefined);
      if (!res || res.exitCode !== 0) return undefined;
      const m = /v?(\d+\.\d+\.\d+)/.exec(res.stdout + res.stderr);
      return m ? m[1] : undefined;
    },
    async sysctl(key) {
      try {
        return Number(readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim());
      } catch {
        return undefined;
      }
    },
    portFree: (port) =>
      new Promise((resolve) => {
        const srv = net.createServer();
        srv.once('error', () => resolve(false));
        srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
      }),
    arch: () => ({ x64: 'amd64', arm64: 'arm64' })[os.arch() as 'x64' | 'arm64'] ?? os.arch(),
    platform: () => os.platform(),
    dataDirProblem,
    async runsAmd64(engine) {
      const res = await run.run(tool(engine), ['run', '--rm', '--platform', 'linux/amd64', UTILITY_IMAGE, 'uname', '-m'], { timeoutMs: 120_000 }).catch(() => undefined);
      return res?.exitCode === 0 && res.stdout.trim() === 'x86_64';
    },
  };
}
