// A tiny cross-process lock (mkdir is atomic) so parallel test workers don't build twice.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 90 * 60_000): Promise<T> {
  await mkdir(dirname(dir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => '0'));
      if (pid && !alive(pid)) {
        await rm(dir, { recursive: true, force: true }); // holder died
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${dir} (held by pid ${pid})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
