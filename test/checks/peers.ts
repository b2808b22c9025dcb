// Real peers for the check contract tests: nginx and haproxy child processes
// with generated configs in a temp dir, and small Node HTTP backends.
// Everything listens on 127.0.0.1 with free ports picked at run time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { createServer as createNetServer, connect } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_HINT = 'install them with: apt-get install -y nginx-light haproxy';
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/peers');

export interface Peer {
  name: string;
  stop(): Promise<void>;
}

/** Fail loudly (never skip) when a peer binary is missing. */
export function requireBinary(name: 'nginx' | 'haproxy'): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || bin === '') {
    throw new Error(`${name} is required by the check contract tests but was not found on PATH — ${INSTALL_HINT}`);
  }
  return bin;
}

/** Distinct free TCP ports on 127.0.0.1 (all held open together, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createNetServer>>((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPorts(ports: number[], child: ChildProcess, describe: () => Promise<string>, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${await describe()}`);
    }
    const ready = await Promise.all(ports.map(canConnect));
    if (ready.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ports ${ports.join(', ')} not listening after ${timeoutMs} ms:\n${await describe()}`);
}

/** SIGTERM, then SIGKILL if the process is still there after 3 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    if (!child.kill('SIGTERM')) { clearTimeout(kill); resolve(); }
  });
}

async function render(template: string, values: Record<string, string | number>): Promise<string> {
  let text = await readFile(path.join(FIXTURES, template), 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{{${k}}}`, String(v));
  const left = text.match(/{{[A-Z_]+}}/);
  if (left) throw new Error(`${template}: placeholder ${left[0]} was not filled`);
  return text;
}

async function startProcess(name: string, bin: string, args: string[], dir: string, ports: number[], logFile?: string): Promise<Peer> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`${name}: cannot start ${bin}: ${e.message} — ${INSTALL_HINT}`))));
  const describe = async () => {
    const log = logFile ? await readFile(logFile, 'utf8').catch(() => '') : '';
    return `${name} output:\n${output}${log ? `\n${name} log:\n${log}` : ''}`;
  };
  const peer: Peer = { name, stop: async () => { await stopChild(child); await rm(dir, { recursive: true, force: true }); } };
  try {
    await Promise.race([waitForPorts(ports, child, describe), spawnError]);
  } catch (err) {
    await peer.stop();
    throw new Error(`${name}: ${(err as Error).message}`);
  }
  return peer;
}

/** Start nginx in the foreground with the given server/upstream blocks. */
export async function startNginx(serverBlocks: string, ports: number[]): Promise<Peer> {
  const bin = requireBinary('nginx');
  const dir = await mkdtemp(path.join(tmpdir(), 'lab-nginx-'));
  await chmod(dir, 0o755); // workers run as an unprivileged user when started as root
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, await render('nginx.conf.tmpl', { DIR: dir, SERVERS: serverBlocks }));
  return startProcess('nginx', bin, ['-p', dir, '-c', conf, '-g', 'daemon off;'], dir, ports, path.join(dir, 'error.log'));
}

/** A version backend answering 200 "version=vN" with header x-lab-version: vN. */
export function nginxVersionServer(port: number, version: string): string {
  return `    server {
        listen 127.0.0.1:${port};
        location / {
            add_header x-lab-version ${version} always;
            return 200 "version=${version}\\n";
        }
    }\n`;
}

/** A proxy on `port` splitting over `backends` with nginx weights; `random` uses weighted random. */
export function nginxSplitServer(port: number, name: string, backends: Array<{ port: number; weight: number }>, method: 'round-robin' | 'random'): string {
  const servers = backends.map((b) => `        server 127.0.0.1:${b.port} weight=${b.weight};`).join('\n');
  return `    upstream ${name} {
${method === 'random' ? '        random;\n' : ''}${servers}
        keepalive 16;
    }
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://${name};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }\n`;
}

/** A plain proxy (no upstream keepalive) to one backend, e.g. a Node server that goes away. */
export function nginxProxyServer(port: number, backendPort: number): string {
  return `    server {
        listen 127.0.0.1:${port};
        location / { proxy_pass http://127.0.0.1:${backendPort}; }
    }\n`;
}

export interface BreakerPorts { tight: number; roomy: number; bare: number; backend: number }

/** Start haproxy in the foreground (-db) with the breaker config. */
export async function startHaproxy(ports: BreakerPorts, queueTimeoutMs: number): Promise<Peer> {
  const bin = requireBinary('haproxy');
  const dir = await mkdtemp(path.join(tmpdir(), 'lab-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  await writeFile(cfg, await render('haproxy-breaker.cfg.tmpl', {
    TIGHT_PORT: ports.tight, ROOMY_PORT: ports.roomy, BARE_PORT: ports.bare, BACKEND_PORT: ports.backend, QUEUE_TIMEOUT_MS: queueTimeoutMs,
  }));
  return startProcess('haproxy', bin, ['-db', '-f', cfg], dir, [ports.tight, ports.roomy, ports.bare]);
}

export interface NodeBackend extends Peer {
  port: number;
  /** Requests received so far. */
  requests(): number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number, server: Server) => void;

/** A Node HTTP backend on a given (or free) port; the handler gets the 1-based request number. */
export async function startNodeBackend(name: string, handler: Handler, port = 0): Promise<NodeBackend> {
  let count = 0;
  const server = createServer((req, res) => handler(req, res, ++count, server));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`${name}: cannot listen on 127.0.0.1:${port}: ${e.message}`)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const stop = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return { name, port: (server.address() as { port: number }).port, requests: () => count, stop };
}

/** Stop listening and drop every connection, right now (simulates a crashed pod). */
export function crash(server: Server): void {
  server.close();
  server.closeAllConnections();
}
