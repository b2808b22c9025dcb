// Where the test environment lives on disk. Everything is keyed by a hash of TESTENV,
// so bumping a pin builds into a fresh directory and never mixes binaries.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TESTENV } from '../versions.ts';

/** `${XDG_CACHE_HOME:-$HOME/.cache}/cloud-native-lab` */
export function labCacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'cloud-native-lab');
}

/** Go's names for this platform (the binaries are built for the host only). */
export function goPlatform(): { goos: string; goarch: string } {
  const goarch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  return { goos: process.platform === 'win32' ? 'windows' : process.platform, goarch };
}

/** Short hash of every TESTENV value plus the platform. */
export function testenvHash(): string {
  const key = JSON.stringify({ testenv: TESTENV, ...goPlatform() });
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** `<cache>/cloud-native-lab/testenv/<hash>` */
export function testenvRoot(): string {
  return join(labCacheRoot(), 'testenv', testenvHash());
}

/** The directory holding every built binary. It may not exist yet: see `ensureTestenv`. */
export function testenvBinDir(): string {
  return join(testenvRoot(), 'bin');
}

/** KWOK_WORKDIR for `testenv start`: clusters live in `<this>/clusters/<name>`. */
export function kwokWorkdir(): string {
  return process.env.LAB_KWOK_WORKDIR || join(labCacheRoot(), 'kwok');
}
