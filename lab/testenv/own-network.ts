// Runs a testenv binary that can only listen on every interface (Flagger and its loadtester: `-port`
// is all they take, and they serve on ":" + port) in a network namespace of its own, so nothing it
// listens on is reachable from outside this machine — or from anywhere but through this module.
// `reach`: host ports on 127.0.0.1 it may connect to, at the same address inside (an API server, a
// Prometheus). `expose`: ports it listens on inside, each given a host port on 127.0.0.1. Both go
// through Unix sockets in a private temp directory (a Unix socket is a file, so it crosses network
// namespaces); the inside half is lab/testenv/netns-inside.mjs. Linux only (unshare(1), ip(8)).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabError } from '../errors.ts';
import { PROJECT_ROOT } from '../project-root.ts';

export interface OwnNetworkOptions {
  bin: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Host ports on 127.0.0.1 the process may connect to (same address inside). */
  reach: number[];
  /** Ports the process listens on inside its namespace; each gets a host port on 127.0.0.1. */
  expose: number[];
}

export interface OwnNetworkProcess {
  /** The host port (127.0.0.1) for each exposed inside port. */
  ports: Record<number, number>;
  /** Everything the process (and the namespace's bridge) wrote so far. */
  output(): string;
  /** Whether the process is still running. */
  running(): boolean;
  /** SIGTERM, SIGKILL after `graceMs` (default 10 s); resolves once it has exited and the bridges are closed. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const INSIDE = join(PROJECT_ROOT, 'lab', 'testenv', 'netns-inside.mjs');

/** Why this machine cannot run a process in its own network namespace, or undefined when it can. */
export function ownNetworkUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`;
  const root = process.getuid?.() === 0;
  const probe = spawnSync('unshare', [...(root ? [] : ['--map-root-user']), '--net', '--', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.error) return `unshare(1) cannot run: ${probe.error.message} (util-linux)`;
  if (probe.status !== 0) {
    const apparmor = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';
    const restricted = !root && existsSync(apparmor) && readFileSync(apparmor, 'utf8').trim() === '1';
    const fix = restricted ? `; Ubuntu's AppArmor forbids it to ordinary users: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` : ' (needs util-linux, iproute2 and unprivileged user namespaces)';
    return `unshare --net ip link set lo up failed: ${probe.stderr.trim() || `exit ${probe.status}`}${fix}`;
  }
  return undefined;
}

/** A server that pipes each connection it accepts to a new one made by `connect`. */
function bridgeServer(connect: () => Socket, open: Set<Socket>): Server {
  return createServer((client) => {
    const upstream = connect();
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
}

const listening = (s: Server, ...where: [string] | [number, string]) =>
  new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(...(where as [number, string]), () => resolve()); });
const exitedOf = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.once('exit', () => resolve());
});

export async function startInOwnNetwork(o: OwnNetworkOptions): Promise<OwnNetworkProcess> {
  const why = ownNetworkUnavailable();
  if (why) throw new LabError(`cannot run ${o.bin} in its own network namespace: ${why}`, { detail: 'it listens on every interface, which the lab allows only inside a namespace of its own' });
  const socketDir = mkdtempSync(join(tmpdir(), 'lab-ns-'));
  const open = new Set<Socket>();
  const servers: Server[] = [];
  const closeAll = async () => {
    for (const s of open) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    rmSync(socketDir, { recursive: true, force: true });
  };
  for (const port of o.reach) {
    const s = bridgeServer(() => createConnection(port, '127.0.0.1'), open);
    servers.push(s);
    await listening(s, join(socketDir, `reach-${port}.sock`));
  }
  const root = process.getuid?.() === 0;
  const config = JSON.stringify({ socketDir, reach: o.reach, expose: o.expose, bin: o.bin, args: o.args });
  const child = spawn('unshare', [...(root ? [] : ['--map-root-user']), '--net', '--', process.execPath, INSIDE, config], {
    env: o.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  // The inside half writes one line on fd 3 once the process has been started (not when it cannot be).
  const started = new Promise<boolean>((resolve) => {
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.once('data', () => resolve(true));
    fd3.once('end', () => resolve(false));
    child.once('exit', () => resolve(false));
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = exitedOf(child);
  const running = () => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) => (stopping ??= (async () => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await closeAll();
  })());

  const ports: Record<number, number> = {};
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), 15_000); });
    const ok = await Promise.race([started, timeout]);
    clearTimeout(timer);
    if (ok === 'timeout') throw new LabError(`the network namespace of ${o.bin} did not start it within 15 s`, { detail: out.trim() });
    if (!ok) {
      await exited;
      throw new LabError(`${o.bin} could not be started in its network namespace (exit ${child.exitCode ?? child.signalCode})`, { detail: out.trim() });
    }
    for (const port of o.expose) {
      const sock = join(socketDir, `expose-${port}.sock`);
      if (!existsSync(sock)) throw new LabError(`the network namespace of ${o.bin} has no ${sock}`, { detail: out.trim() });
      const s = bridgeServer(() => createConnection(sock), open);
      servers.push(s);
      await listening(s, 0, '127.0.0.1');
      ports[port] = (s.address() as { port: number }).port;
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, output: () => out, running, stop };
}

/** Where the inside half lives (for a test that checks it is shipped with the sources). */
export const NETNS_INSIDE_SCRIPT = INSIDE;
