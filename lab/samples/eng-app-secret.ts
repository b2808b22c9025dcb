// eng_app's Secret, built from a local env file (seed 004 kept `eng_app_secret.yaml` out of git
// and published a sample; here that is `eng-app.env`, gitignored, and `eng-app.env.example`).
//
// Decisions:
// - The file is parsed with dotenv's `parse` (quotes, `#` comments, `export KEY=` lines). An
//   unquoted `#` starts a comment, so a password containing `#` must be quoted.
// - The Secret carries base64 `data`, not `stringData`: the API server folds stringData into data
//   and never returns it, so the lab's drift check (every field we set is live) would never settle.
// - Wrong values that would only surface as a crash-looping pod are usage errors (exit 2), all
//   reported at once: DATABASE_DEV_HOST must name the in-cluster MySQL Service (the seed's
//   placeholder `hostooripaddressofmysql` is an easy one to leave in), SENTENCE_FILE_PATH must be
//   under /mnt where the data volume is mounted, and the app's DB password must be one MySQL
//   actually has (root's, as the seed says, unless MYSQL_USER/MYSQL_PASSWORD create another user).
// - Extra keys are kept: the mysql image reads more MYSQL_* variables than the seed uses.
import { existsSync, readFileSync } from 'node:fs';
import type { V1Secret } from '@kubernetes/client-node';
import { parse } from 'dotenv';
import { UsageError } from '../errors.ts';
import { loadManifests, pick } from '../manifests.ts';

export const ENG_APP_SECRET_NAME = 'eng-app-secret';
export const ENG_APP_NAMESPACE = 'eng-app';
export const ENG_APP_MYSQL_SERVICE = 'eng-app-mysql-service';
/** Where the app container mounts the data volume (sentence_data.txt, voice/). */
export const ENG_APP_DATA_MOUNT = '/mnt';
export const ENV_EXAMPLE = 'manifests/eng-app/eng-app.env.example';

/** The keys of the seed's secret sample, all required. */
export const ENG_APP_SECRET_KEYS = [
  'MYSQL_ROOT_PASSWORD',
  'DATABASE_DEV_PASSWORD',
  'DATABASE_DEV_USER',
  'DATABASE_DEV_HOST',
  'INIT_USER_EMAIL',
  'INIT_USER_MODE',
  'INIT_USER_PASSWD',
  'SENTENCE_FILE_PATH',
] as const;

const FIX = `copy ${ENV_EXAMPLE} to eng-app.env and edit the values`;

/** Parse an env file. A missing file is a usage error that says how to create it. */
export function readEngAppEnv(file: string): Record<string, string> {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist: ${FIX}`);
  return parse(readFileSync(file));
}

/** Host names that reach the MySQL Service from inside the eng-app namespace. */
function isMysqlServiceHost(host: string): boolean {
  const s = ENG_APP_MYSQL_SERVICE;
  const ns = ENG_APP_NAMESPACE;
  return [s, `${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.cluster.local`].includes(host);
}

/** Every problem with `values`, each naming `source` and the key. */
export function engAppEnvProblems(values: Record<string, string>, source: string): string[] {
  const missing = ENG_APP_SECRET_KEYS.filter((k) => !(k in values));
  const empty = ENG_APP_SECRET_KEYS.filter((k) => k in values && values[k].trim() === '');
  const problems: string[] = [];
  if (missing.length) problems.push(`${source}: missing ${missing.join(', ')} (${FIX})`);
  if (empty.length) problems.push(`${source}: empty ${empty.join(', ')} (give each a value; see ${ENV_EXAMPLE})`);

  const v = (k: string) => values[k]?.trim() ?? '';
  const host = v('DATABASE_DEV_HOST');
  if (host && !isMysqlServiceHost(host)) {
    problems.push(`${source}: DATABASE_DEV_HOST=${host} is not the lab's MySQL; set DATABASE_DEV_HOST=${ENG_APP_MYSQL_SERVICE}`);
  }
  const path = v('SENTENCE_FILE_PATH');
  if (path && !path.startsWith(`${ENG_APP_DATA_MOUNT}/`)) {
    problems.push(`${source}: SENTENCE_FILE_PATH=${path} is outside ${ENG_APP_DATA_MOUNT}, where the app sees the data volume; set SENTENCE_FILE_PATH=${ENG_APP_DATA_MOUNT}/sentence_data.txt`);
  }
  const user = v('DATABASE_DEV_USER');
  const pass = values.DATABASE_DEV_PASSWORD ?? '';
  if (user === 'root' && pass && values.MYSQL_ROOT_PASSWORD && pass !== values.MYSQL_ROOT_PASSWORD) {
    problems.push(`${source}: DATABASE_DEV_PASSWORD differs from MYSQL_ROOT_PASSWORD but DATABASE_DEV_USER is root; make them equal`);
  }
  if (user && user !== 'root' && (values.MYSQL_USER !== user || values.MYSQL_PASSWORD !== pass)) {
    problems.push(
      `${source}: DATABASE_DEV_USER=${user} does not exist in MySQL; use root (as the seed does) or also set MYSQL_USER=${user} and MYSQL_PASSWORD equal to DATABASE_DEV_PASSWORD`,
    );
  }
  return problems;
}

/** The values, checked: throws UsageError listing every problem (each naming the key and the file). */
export function engAppSecretValues(values: Record<string, string>, sourceName: string): Record<string, string> {
  const problems = engAppEnvProblems(values, sourceName);
  if (problems.length) throw new UsageError(problems, FIX);
  return values;
}

/** The Secret both eng-app pods read with envFrom, as manifests/eng-app generates it, from `values`. */
export function buildEngAppSecret(values: Record<string, string>, sourceName: string): V1Secret {
  const objs = loadManifests('eng-app', { secretValues: { [ENG_APP_SECRET_NAME]: engAppSecretValues(values, sourceName) } });
  return pick<V1Secret>(objs, 'Secret', ENG_APP_SECRET_NAME);
}
