// A process in a network namespace of its own (lab/testenv/own-network.ts): what it listens on — on
// every interface, like Flagger — is reachable from the host only through the 127.0.0.1 port it was
// given, never at its own port; it reaches exactly the host ports it was allowed; one that dies at
// start shows as not running, with its output (its caller's readiness check reports it); stop leaves
// nothing behind.
import test from 'ava';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startInOwnNetwork, NETNS_INSIDE_SCRIPT, ownNetworkUnavailable } from '../../lab/testenv/own-network.ts';
import { freePorts } from '../checks/peers.ts';

// Listens on every interface at PORT; GET / answers "inside", GET /via fetches HOST_URL and answers with what it got.
const SERVER = `
const http = require('node:http');
http.createServer(async (req, res) => {
  if (req.url === '/via') {
    try { res.end('via ' + await (await fetch(process.env.HOST_URL)).text()); } catch (e) { res.end('unreachable ' + (e.cause?.code ?? e.message)); }
  } else res.end('inside');
}).listen(Number(process.env.PORT), '0.0.0.0', () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));`;

// Bounded: a relay that accepts and never answers (its target gone) must not hang the run until ava's timeout.
const get = (url: string) => fetch(url, { signal: AbortSignal.timeout(10_000) }).then(async (r) => `${r.status} ${await r.text()}`, (e: { name?: string; cause?: { code?: string } }) => `error ${e.cause?.code ?? e.name}`);

test.before((t) => {
  const why = ownNetworkUnavailable();
  if (why) t.fail(`this machine cannot run the Flagger tests: ${why}`);
});

test('served only through the given 127.0.0.1 port; reaches only the allowed host ports', async (t) => {
  t.true(existsSync(NETNS_INSIDE_SCRIPT));
  const host = createServer((_req, res) => res.end('host'));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
  const hostPort = (host.address() as AddressInfo).port;
  const other = createServer((_req, res) => res.end('other'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  const otherPort = (other.address() as AddressInfo).port;
  const [inner] = await freePorts(1);
  const env = { ...process.env, PORT: String(inner), HOST_URL: `http://127.0.0.1:${hostPort}/` };
  const p = await startInOwnNetwork({ bin: process.execPath, args: ['-e', SERVER], env, reach: [hostPort], expose: [inner] });
  try {
    const url = `http://127.0.0.1:${p.ports[inner]}`;
    let first = '';
    for (let i = 0; i < 50 && !first.startsWith('200'); i += 1) { first = await get(url); await new Promise((r) => setTimeout(r, 100)); }
    t.is(first, '200 inside');
    t.is(await get(`http://127.0.0.1:${inner}/`), 'error ECONNREFUSED', 'its own port is not open on the host');
    t.is(await get(`${url}/via`), '200 via host', 'an allowed host port is reached at its own address');
    const p2 = await startInOwnNetwork({ bin: process.execPath, args: ['-e', SERVER], env: { ...env, HOST_URL: `http://127.0.0.1:${otherPort}/` }, reach: [hostPort], expose: [inner] });
    try {
      const url2 = `http://127.0.0.1:${p2.ports[inner]}`;
      let via = '';
      for (let i = 0; i < 50 && !via.startsWith('200'); i += 1) { via = await get(`${url2}/via`); await new Promise((r) => setTimeout(r, 100)); }
      t.is(via, '200 unreachable ECONNREFUSED', 'a host port it was not given is not reachable');
    } finally {
      await p2.stop();
    }
    t.true(p.running());
  } finally {
    await p.stop();
    host.close();
    other.close();
  }
  t.false(p.running());
  t.is(await get(`http://127.0.0.1:${p.ports[inner]}/`), 'error ECONNREFUSED', 'the host bridge is closed after stop');
});

test('a process that exits at start shows as not running, with its output; stop still cleans up', async (t) => {
  const p = await startInOwnNetwork({ bin: process.execPath, args: ['-e', 'console.error("no config"); process.exitCode = 3'], reach: [], expose: [8080] });
  for (let i = 0; i < 100 && p.running(); i += 1) await new Promise((r) => setTimeout(r, 50));
  t.false(p.running());
  t.regex(p.output(), /no config/);
  t.regex(await get(`http://127.0.0.1:${p.ports[8080]}/`), /^error /, 'nothing answers behind its port');
  await p.stop();
});

test('a binary that cannot be started is refused, with the namespace side\'s reason', async (t) => {
  const err = await t.throwsAsync(startInOwnNetwork({ bin: '/nonexistent/flagger', args: [], reach: [], expose: [8080] }));
  t.regex(err!.message, /\/nonexistent\/flagger could not be started in its network namespace/);
  t.regex((err as Error & { detail?: string }).detail ?? '', /netns: \/nonexistent\/flagger: spawn \/nonexistent\/flagger ENOENT/);
});
