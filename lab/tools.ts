// Where the lab finds a CLI: the provider's own directories first (see context.ts), then PATH.
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

/** The first of `dirs` that has `name`, then PATH; the bare name if none (the run reports it). */
export function toolPath(name: string, dirs: string[]): string {
  for (const dir of dirs) {
    const found = findOnPath(name, dir);
    if (found) return found;
  }
  return findOnPath(name) ?? name;
}
