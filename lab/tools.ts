// Where the lab finds a CLI: its own .lab/bin first (installed at a pinned version), then PATH.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function toolPath(name: string, labBin: string): string {
  return findOnPath(name, labBin) ?? findOnPath(name) ?? name;
}
