// The persistence exercise's row, written and read in eng_app's MySQL with the mysql client inside
// the MySQL container (`kubectl exec`): the password never leaves the pod (the client reads it from
// MYSQL_PWD, set from the container's own MYSQL_ROOT_PASSWORD), and the SQL is the script's one
// argument, not part of a command string. The row lives in a database of the exercise's own,
// `lab_persistence` (one table, one row per run), so eng_app's data is never touched; cleanup drops it.
import type { MeshOps } from './mesh-ops-types.ts';
import type { MysqlTarget } from './persistence-volume.ts';

export const DATABASE = 'lab_persistence';
export const TABLE = `${DATABASE}.marks`;

/** sh -c SCRIPT mysql-query SQL: the SQL arrives as "$1". */
export const MYSQL_SCRIPT = 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql -uroot --batch --skip-column-names -e "$1"';

export interface SqlResult {
  exitCode: number | null;
  /** Tab-separated rows, as `mysql --batch --skip-column-names` prints them. */
  rows: string[][];
  error: string | null;
}

export interface Row {
  token: string;
  writtenAt: string;
}

/** A fresh token per run; only [a-z0-9-], so it is safe inside a quoted SQL literal. */
export function checkToken(token: string): string {
  if (!/^[a-z0-9-]{6,64}$/.test(token)) throw new RangeError(`the row's token must be 6–64 of [a-z0-9-], got ${JSON.stringify(token)}`);
  return token;
}

export const writeSql = (token: string) => [
  `CREATE DATABASE IF NOT EXISTS ${DATABASE};`,
  `CREATE TABLE IF NOT EXISTS ${TABLE} (token VARCHAR(64) PRIMARY KEY, written_at DATETIME(3) NOT NULL) ENGINE=InnoDB;`,
  `INSERT INTO ${TABLE} (token, written_at) VALUES ('${checkToken(token)}', NOW(3));`,
  readSql(token),
].join(' ');

export const readSql = (token: string) => `SELECT token, written_at FROM ${TABLE} WHERE token = '${checkToken(token)}';`;
export const DROP_SQL = `DROP DATABASE IF EXISTS ${DATABASE};`;
export const EXISTS_SQL = `SHOW DATABASES LIKE '${DATABASE}';`;

export function mysqlArgs(t: MysqlTarget, pod: string, sql: string): string[] {
  return ['exec', '-n', t.namespace, pod, '-c', t.container, '--', 'sh', '-c', MYSQL_SCRIPT, 'mysql-query', sql];
}

export async function runSql(ops: MeshOps, t: MysqlTarget, pod: string, sql: string): Promise<SqlResult> {
  const r = await ops.command('kubectl', mysqlArgs(t, pod, sql), { timeoutMs: 60_000 });
  const rows = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'));
  const error = r.exitCode === 0 ? null : r.stderr.trim().split('\n').slice(-2).join('; ') || `exit ${r.exitCode}`;
  return { exitCode: r.exitCode, rows: r.exitCode === 0 ? rows : [], error };
}

/** The rows carrying `token` in what a write or read printed. */
export function rowsOf(r: SqlResult, token: string): Row[] {
  return r.rows.filter((cols) => cols[0] === token).map(([tok, at]) => ({ token: tok, writtenAt: at ?? '' }));
}
