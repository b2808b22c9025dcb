// Installs a missing CLI at its pinned version into .lab/bin. The download's SHA-256 must equal
// the one pinned in versions.ts; a mismatch, or a platform with no pinned checksum, is refused
// and nothing is left behind.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabError } from './errors.ts';
import type { Runner } from './run.ts';
import type { ToolPin } from './versions.ts';

export interface InstallOptions {
  pin: ToolPin;
  binDir: string;
  os: string;
  arch: string;
  run: Runner;
  fetchImpl?: typeof fetch;
}

export function downloadUrl(pin: ToolPin, osName: string, arch: string): string {
  return fill(pin.url, pin, osName, arch);
}

function fill(template: string, pin: ToolPin, osName: string, arch: string): string {
  return template.replaceAll('{version}', pin.version).replaceAll('{os}', osName).replaceAll('{arch}', arch);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function installTool(o: InstallOptions): Promise<string> {
  const platform = `${o.os}-${o.arch}`;
  const want = o.pin.sha256[platform];
  if (!want) {
    throw new LabError(
      `${o.pin.name} ${o.pin.version}: no pinned SHA-256 for ${platform} in lab/versions.ts, so the lab will not download it; install ${o.pin.name} ≥ ${o.pin.min} yourself and put it on PATH`,
    );
  }
  const url = downloadUrl(o.pin, o.os, o.arch);
  const doFetch = o.fetchImpl ?? fetch;
  let body: Uint8Array;
  try {
    const res = await doFetch(url, { signal: AbortSignal.timeout(300_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new LabError(`downloading ${o.pin.name} from ${url}`, { cause: err, detail: (err as Error).message });
  }
  const got = sha256(body);
  if (got !== want) {
    throw new LabError(`refusing ${o.pin.name} ${o.pin.version} from ${url}: SHA-256 is ${got}, lab/versions.ts pins ${want}`);
  }
  mkdirSync(o.binDir, { recursive: true });
  // Work next to the destination so the final rename is atomic (same filesystem).
  const work = mkdtempSync(path.join(o.binDir, `.install-${o.pin.name}-`));
  try {
    let exe: string;
    if (o.pin.format === 'binary') {
      exe = path.join(work, o.pin.name);
      writeFileSync(exe, body);
    } else {
      const archive = path.join(work, 'download.tar.gz');
      writeFileSync(archive, body);
      const member = fill(o.pin.member ?? o.pin.name, o.pin, o.os, o.arch);
      const res = await o.run.run('tar', ['-xzf', archive, '-C', work, member]);
      if (res.exitCode !== 0) throw new LabError(`extracting ${member} from ${url}`, { detail: res.stderr });
      exe = path.join(work, member);
      readFileSync(exe); // throws with the path if the member was not there
    }
    chmodSync(exe, 0o755);
    const dest = path.join(o.binDir, o.pin.name);
    renameSync(exe, dest);
    return dest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
