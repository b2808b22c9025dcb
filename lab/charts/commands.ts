// `lab charts list|pull`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LabContext } from '../context.ts';
import { RELEASES } from '../observability/endpoints.ts';
import { decidingSetting, type ReleaseKey } from '../observability/profiles.ts';
import { CHARTS } from '../versions.ts';
import { archivePath, ensureArchive } from './archive.ts';
import { enabledReleaseKeys } from './helmfile.ts';

export function chartsList(ctx: LabContext): string[] {
  const enabled = new Set(enabledReleaseKeys(ctx.cfg));
  return (Object.keys(RELEASES) as ReleaseKey[]).map((k) => {
    const pin = CHARTS[RELEASES[k].chart];
    const file = archivePath(ctx.cfg.stateDir, pin);
    const state = existsSync(file) ? `cached ${path.relative(ctx.cfg.root, file)}` : 'not cached';
    return `${RELEASES[k].release.padEnd(22)} ${pin.repo.name}/${pin.chart} ${pin.version}  sha256 ${pin.sha256.slice(0, 12)}…  ${state}${enabled.has(k) ? '' : `  (not installed with ${decidingSetting(ctx.cfg, k)})`}`;
  });
}

export async function chartsPull(ctx: LabContext, all: boolean): Promise<string[]> {
  const keys = all ? (Object.keys(RELEASES) as ReleaseKey[]) : enabledReleaseKeys(ctx.cfg);
  const out: string[] = [];
  for (const k of keys) {
    const pin = CHARTS[RELEASES[k].chart];
    const file = await ensureArchive(ctx, pin);
    out.push(`${pin.chart} ${pin.version}: ${path.relative(ctx.cfg.root, file)} (sha256 ${pin.sha256} ✓)`);
  }
  if (!out.length) out.push(`LAB_PROFILE=${ctx.cfg.profile} installs no charts (use --all to pull every pinned chart)`);
  return out;
}
