// Grafana's admin login, kept like eng-app.env: a file at the project root (`grafana-admin.env`,
// git-ignored), created on first use with a random password, read on every later run and never
// regenerated while it exists. The chart's own default password is well known; the lab never uses it.
//
// Decisions:
// - The file must be 0600 or stricter (no group/other bits): it holds a live password. A looser
//   file is refused, not silently fixed, so the user notices who may have read it.
// - Malformed = a line that is not KEY=VALUE, a missing or empty key, a key the lab does not read
//   (a typo such as GRAFANA_ADMIN_PASWORD would otherwise be ignored), or a well-known default
//   password. Every problem is reported at once, each naming the file and the fix.
// - A password you write yourself is kept as it is (any length); the generated one is 32 URL-safe
//   characters (24 random bytes, base64url).
// - The Secret carries base64 `data`, not `stringData`, as eng-app's does: the API server never
//   returns stringData, so the drift check would never settle.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import { parse } from 'dotenv';
import { UsageError } from '../errors.ts';
import { MANAGED_BY } from '../kube-refs.ts';
import { MONITORING_NAMESPACE } from './endpoints.ts';

export const GRAFANA_ADMIN_FILE = 'grafana-admin.env';
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** The keys the Grafana chart reads from `admin.existingSecret` (admin.userKey / admin.passwordKey). */
export const GRAFANA_SECRET_KEYS = { user: 'admin-user', password: 'admin-password' } as const;
export const GRAFANA_ADMIN_USER = 'admin';

/** Passwords anyone can guess: Grafana's own and kube-prometheus-stack's chart default. */
const WELL_KNOWN = new Set(['admin', 'prom-operator', 'password', 'changeme']);
const KEYS = ['GRAFANA_ADMIN_USER', 'GRAFANA_ADMIN_PASSWORD'] as const;

export interface GrafanaAdmin {
  user: string;
  password: string;
  /** The file it came from (or was written to). */
  file: string;
}

export const grafanaAdminFile = (root: string) => path.join(root, GRAFANA_ADMIN_FILE);

/** 24 random bytes as base64url: 32 characters from [A-Za-z0-9_-]. */
export function generatePassword(bytes: () => Buffer = () => randomBytes(24)): string {
  return bytes().toString('base64url');
}

/** Read `<root>/grafana-admin.env`, or undefined when it does not exist. Throws UsageError when it
 * is too open or malformed. */
export function readGrafanaAdmin(root: string): GrafanaAdmin | undefined {
  const file = grafanaAdminFile(root);
  if (!existsSync(file)) return undefined;
  const problems: string[] = [];
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    problems.push(`${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it holds Grafana's admin password: chmod 600 ${file}`);
  }
  const text = readFileSync(file, 'utf8');
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) return;
    if (!/^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(l)) problems.push(`${file}:${i + 1} is not KEY=VALUE`);
  });
  const values = parse(text);
  for (const key of Object.keys(values)) {
    if (!(KEYS as readonly string[]).includes(key)) problems.push(`${file}: ${key} is not a key the lab reads; use only ${KEYS.join(' and ')}`);
  }
  for (const key of KEYS) {
    if (!(key in values)) problems.push(`${file}: ${key} is missing`);
    else if (values[key].trim() === '') problems.push(`${file}: ${key} is empty`);
  }
  if (WELL_KNOWN.has(values.GRAFANA_ADMIN_PASSWORD ?? '')) {
    problems.push(`${file}: GRAFANA_ADMIN_PASSWORD is a well-known default; choose another`);
  }
  if (problems.length) {
    throw new UsageError(problems, `Fix ${file} (GRAFANA_ADMIN_USER=admin and GRAFANA_ADMIN_PASSWORD=…, mode 0600), or delete it and the next \`lab up\` generates a new password (then Grafana's stored password must be reset too).`);
  }
  return { user: values.GRAFANA_ADMIN_USER, password: values.GRAFANA_ADMIN_PASSWORD, file };
}

/** Read the file, or create it (mode 0600) with a generated password when it does not exist. */
export function ensureGrafanaAdmin(root: string, log: (m: string) => void = () => {}, password: () => string = generatePassword): GrafanaAdmin {
  const existing = readGrafanaAdmin(root);
  if (existing) return existing;
  const file = grafanaAdminFile(root);
  const text = [
    "# Grafana's admin login for this lab (git-ignored). Generated on first use; edit to choose your own.",
    '# Keep it mode 0600. The lab turns it into the Secret monitoring/grafana-admin.',
    `GRAFANA_ADMIN_USER=${GRAFANA_ADMIN_USER}`,
    `GRAFANA_ADMIN_PASSWORD=${password()}`,
    '',
  ].join('\n');
  // flag 'wx': never overwrite a file that appeared meanwhile (a second `lab up` racing this one).
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  log(`created ${file} with a generated Grafana admin password (edit it to choose your own)`);
  return readGrafanaAdmin(root)!;
}

/** Credentials for `lab render` / `lab plan`: never the real password. */
export function placeholderGrafanaAdmin(): GrafanaAdmin {
  return { user: GRAFANA_ADMIN_USER, password: `generated-on-first-up-into-${GRAFANA_ADMIN_FILE}`, file: GRAFANA_ADMIN_FILE };
}

/** The Secret the Grafana chart reads through `admin.existingSecret`. */
export function buildGrafanaAdminSecret(admin: Pick<GrafanaAdmin, 'user' | 'password'>): V1Secret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_NAMESPACE, labels: { ...MANAGED_BY } },
    type: 'Opaque',
    data: { [GRAFANA_SECRET_KEYS.user]: b64(admin.user), [GRAFANA_SECRET_KEYS.password]: b64(admin.password) },
  };
}
