// The CLI installer against a real local HTTP server serving fixture files: a matching SHA-256
// installs an executable; a mismatch, a missing platform pin or a 404 is refused, leaving nothing.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { installTool, sha256 } from '../../lab/installer.ts';
import { ZxRunner } from '../../lab/run.ts';
import type { ToolPin } from '../../lab/versions.ts';
import { tempDir } from '../helpers.ts';

const files = new Map<string, Buffer>();
let base = '';
let server: http.Server;

test.before(async () => {
  const script = Buffer.from('#!/bin/sh\necho "fake-tool v9.9.9"\n');
  files.set('/dl/v9.9.9/faketool-linux-amd64', script);
  // A tar.gz with the binary under linux-amd64/, like helm's archives.
  const work = tempDir();
  mkdirSync(path.join(work, 'linux-amd64'));
  writeFileSync(path.join(work, 'linux-amd64', 'faketool'), script, { mode: 0o755 });
  execFileSync('tar', ['-czf', path.join(work, 'a.tar.gz'), '-C', work, 'linux-amd64']);
  files.set('/dl/faketool-v9.9.9-linux-amd64.tar.gz', readFileSync(path.join(work, 'a.tar.gz')));
  server = http.createServer((req, res) => {
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after.always(() => server?.close());

const pin = (over: Partial<ToolPin>): ToolPin => ({
  name: 'faketool',
  version: 'v9.9.9',
  min: '9.0.0',
  url: `${base}/dl/{version}/faketool-{os}-{arch}`,
  format: 'binary',
  sha256: { 'linux-amd64': sha256(files.get('/dl/v9.9.9/faketool-linux-amd64')!) },
  ...over,
});
const install = (p: ToolPin, binDir = tempDir()) => ({ binDir, done: installTool({ pin: p, binDir, os: 'linux', arch: 'amd64', run: new ZxRunner() }) });

test('a binary whose SHA-256 matches the pin is installed and runs', async (t) => {
  const { done } = install(pin({}));
  const exe = await done;
  t.is(execFileSync(exe).toString().trim(), 'fake-tool v9.9.9');
});

test('a tar.gz member is extracted after the archive checksum matches', async (t) => {
  const { done } = install(
    pin({ url: `${base}/dl/faketool-{version}-{os}-{arch}.tar.gz`, format: 'tar.gz', member: '{os}-{arch}/faketool', sha256: { 'linux-amd64': sha256(files.get('/dl/faketool-v9.9.9-linux-amd64.tar.gz')!) } }),
  );
  t.is(execFileSync(await done).toString().trim(), 'fake-tool v9.9.9');
});

test('a checksum mismatch is refused and nothing is left in the bin dir', async (t) => {
  const { binDir, done } = install(pin({ sha256: { 'linux-amd64': 'ab'.repeat(32) } }));
  const err = await t.throwsAsync(done);
  t.regex(err!.message, /refusing faketool v9\.9\.9 .*SHA-256 is [0-9a-f]{64}, lab\/versions\.ts pins abab/);
  t.deepEqual(existsSync(binDir) ? readdirSync(binDir) : [], []);
});

test('a platform without a pinned checksum is never downloaded', async (t) => {
  let requested = false;
  const p = pin({ sha256: {} });
  const err = await t.throwsAsync(
    installTool({ pin: p, binDir: tempDir(), os: 'linux', arch: 'amd64', run: new ZxRunner(), fetchImpl: (async () => { requested = true; return new Response(''); }) as typeof fetch }),
  );
  t.regex(err!.message, /no pinned SHA-256 for linux-amd64 .*install faketool ≥ 9\.0\.0 yourself/);
  t.false(requested);
});

test('an HTTP error names the URL', async (t) => {
  const err = await t.throwsAsync(install(pin({ url: `${base}/missing/{os}` })).done);
  t.regex(err!.message, /downloading faketool from http:\/\/127\.0\.0\.1:\d+\/missing\/linux/);
});
