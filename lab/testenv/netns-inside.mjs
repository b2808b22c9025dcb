// The inside half of lab/testenv/own-network.ts, run by `unshare --net` in a network namespace of its
// own (plain JavaScript, so it needs no TypeScript loader). It brings the namespace's loopback up,
// lets the process it starts reach a few host ports at the same 127.0.0.1 addresses (each through a
// Unix socket the host side listens on), lets the host reach the ports the process listens on (each
// through a Unix socket this side listens on), starts the process, says so on fd 3, passes
// SIGTERM/SIGINT on, and ends with its exit status. Whatever the process listens on exists only inside this namespace.
//
//   node netns-inside.mjs '{"socketDir":"/tmp/…","reach":[6443],"expose":[8080],"bin":"/…/flagger","args":[…]}'
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';

const cfg = JSON.parse(process.argv[2]);
const sockets = new Set();
const servers = [];

/** Pipe one accepted connection to a new one made by `connect`; either end closing closes both. */
function bridge(client, connect) {
  const upstream = connect();
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => { client.destroy(); upstream.destroy(); });
  }
  client.pipe(upstream).pipe(client);
}

function listen(server, ...where) {
  servers.push(server);
  return new Promise((resolve, reject) => { server.once('error', reject); server.listen(...where, () => resolve()); });
}

const lo = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
if (lo.status !== 0) {
  process.stderr.write(`netns: cannot bring the loopback up (ip link set lo up: ${lo.error?.message ?? lo.stderr.trim()})\n`);
  process.exitCode = 70;
} else {
  for (const port of cfg.reach) {
    await listen(createServer((c) => bridge(c, () => createConnection(join(cfg.socketDir, `reach-${port}.sock`)))), port, '127.0.0.1');
  }
  for (const port of cfg.expose) {
    await listen(createServer((c) => bridge(c, () => createConnection(port, '127.0.0.1'))), join(cfg.socketDir, `expose-${port}.sock`));
  }
  const child = spawn(cfg.bin, cfg.args, { stdio: ['inherit', 'inherit', 'inherit'] });
  // fd 3 is the host side's "started" pipe: a line once the process runs, then closed.
  child.once('spawn', () => { writeSync(3, `started ${child.pid}\n`); closeSync(3); });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => process.stderr.write(`netns: ${cfg.bin}: ${e.message}\n`));
  child.on('close', (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
    for (const s of servers) s.close();
    for (const s of sockets) s.destroy();
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
  });
}
