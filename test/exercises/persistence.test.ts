// The persistence exercise against the fake lab with eng_app's MySQL on its PV (persistence-fake.ts)
// on a virtual clock and a real temporary LAB_DATA_DIR: the honest lab passes every assertion with
// its numbers and the exercise's database is gone afterwards; each misbehaviour fails exactly the
// assertions meant to catch it; without a data plane (sim) the API parts run and the SQL and the
// files are skipped visibly; --no-relaunch skips part (2) with its own reason.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runExercise, SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import { MYSQL_SCRIPT, mysqlArgs, rowsOf, writeSql } from '../../lab/exercises/persistence-mysql.ts';
import { NO_RELAUNCH_REASON } from '../../lab/exercises/persistence-specs.ts';
import { mysqlTarget } from '../../lab/exercises/persistence-volume.ts';
import { makePersistence } from '../../lab/exercises/persistence.ts';
import { PersistenceMesh, type PersistenceFakeOptions } from './persistence-fake.ts';
import { VirtualClock } from './virtual-clock.ts';
import { assertionsOf, failedNames, one } from './report-picks.ts';

const TOKEN = 'run-0123456789ab';

async function run(o: Omit<PersistenceFakeOptions, 'clock' | 'dataDir'> = {}, dataPlane = true) {
  const clock = new VirtualClock();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lab-persist-'));
  const mesh = new PersistenceMesh({ clock, dataDir, ...o });
  const exercise = makePersistence({ podReadyTimeoutMs: 30_000, pollMs: 1_000, clock }, () => TOKEN);
  try {
    const report = await runExercise({ exercise, ops: mesh, provider: dataPlane ? 'kind' : 'sim', dataPlane, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
    return { report, mesh, dataDir };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const CHAIN = 'Bound to PV eng-app (/opt/nfs/eng_app on the nodes)';
const WRITTEN = 'a row written';
const HOST_WRITE = 'after the write: database lab_persistence is on this machine';
const RESCHEDULED = 'deleting the MySQL pod';
const SAME_PV = "after the pod's deletion: claim eng-app-pvc still Bound to the same PV";
const READ_POD = "after the pod's deletion: the row reads back";
const RELAUNCHED = 'after lab down + lab up: claim';
const HOST_DOWN = 'with the lab down (no --purge)';
const READ_UP = 'after lab down + lab up: the row reads back';
const DROPPED = 'database lab_persistence dropped';

test('the target is read off the manifests; the SQL is the script\'s argument, the password stays in the pod', (t) => {
  const m = mysqlTarget();
  t.deepEqual([m.namespace, m.deployment, m.container, m.claim, m.pv, m.nodePath, m.selector], ['eng-app', 'eng-app-mysql', 'eng-app-mysql', 'eng-app-pvc', 'eng-app', '/opt/nfs/eng_app', 'app=eng-app-mysql,version=v1']);
  const args = mysqlArgs(m, 'p-1', writeSql(TOKEN));
  t.deepEqual(args.slice(0, 10), ['exec', '-n', 'eng-app', 'p-1', '-c', 'eng-app-mysql', '--', 'sh', '-c', MYSQL_SCRIPT]);
  t.regex(MYSQL_SCRIPT, /MYSQL_PWD="\$MYSQL_ROOT_PASSWORD"/);
  t.false(args.join(' ').includes('change-me'), 'no password on the command line');
  t.throws(() => writeSql("x'; DROP DATABASE eng_app; --"), { message: /token must be 6–64 of \[a-z0-9-\]/ });
  t.deepEqual(rowsOf({ exitCode: 0, rows: [[TOKEN, '2026-12-02 10:00:00.123'], ['other', 'x']], error: null }, TOKEN), [{ token: TOKEN, writtenAt: '2026-12-02 10:00:00.123' }]);
});

test('honest lab: every assertion passes with its numbers; down and up ran once; the database is dropped', async (t) => {
  const { report, mesh, dataDir } = await run();
  t.deepEqual(failedNames(report), []);
  t.is(report.status, 'pass', JSON.stringify(report.steps.map((s) => [s.name, s.status, s.error?.message])));
  t.is(assertionsOf(report, 'assert').length + assertionsOf(report, 'cleanup').length, 10);
  t.true(assertionsOf(report).every((a) => a.status === 'pass'));
  t.is(one(report, CHAIN).numbers.hostDir, path.join(dataDir, 'eng_app'), 'the report says where the data is on this machine');
  t.is(one(report, HOST_DOWN).numbers.path, path.join(dataDir, 'eng_app', 'lab_persistence'));
  t.is(one(report, WRITTEN).numbers.rows, 1);
  t.is(one(report, RESCHEDULED).numbers.ms, 4_000);
  t.not(one(report, RESCHEDULED).numbers.oldPod, one(report, RESCHEDULED).numbers.newPod);
  t.deepEqual([one(report, RELAUNCHED).numbers.downMs, one(report, RELAUNCHED).numbers.upMs], [20_000, 60_000]);
  t.not(one(report, RELAUNCHED).numbers.pvUid, one(report, CHAIN).numbers.pvUid, 'a new cluster: the PV is a new object of the same name');
  t.is(one(report, READ_UP).numbers.writtenAt, one(report, WRITTEN).numbers.writtenAt);
  t.is(mesh.downs.length, 1);
  t.is(one(report, DROPPED, 'cleanup').status, 'pass');
  t.false([...mesh.disks.values()].some((d) => d.size > 0), 'no row left');
});

test('on sim: the pod deletion and down/up run against the API and pass; the SQL and the files are skipped (sim)', async (t) => {
  const { report, mesh } = await run({}, false);
  t.is(report.status, 'pass');
  const passed = assertionsOf(report, 'assert').filter((a) => a.status === 'pass').map((a) => a.name);
  t.is(passed.length, 4);
  for (const part of [CHAIN, RESCHEDULED, SAME_PV, RELAUNCHED]) t.true(passed.some((n) => n.includes(part)), part);
  const skipped = assertionsOf(report).filter((a) => a.status === 'skipped');
  t.is(skipped.length, 6, 'the write, the two looks on this machine, the two reads, the drop');
  t.true(skipped.every((a) => a.reason === SIM_SKIP_REASON && a.actual === null));
  t.is(mesh.downs.length, 1);
  t.false(mesh.commanded.some((c) => c[1] === 'exec'), 'no SQL ran');
});

test('--no-relaunch: part (2) is skipped with its reason; the rest passes', async (t) => {
  const { report, mesh } = await run({ noRelaunch: true });
  t.is(report.status, 'pass');
  t.deepEqual(assertionsOf(report).filter((a) => a.status === 'skipped').map((a) => [a.name.split(':')[0], a.reason]), [
    ['after lab down + lab up', NO_RELAUNCH_REASON], ['with the lab down (no --purge)', NO_RELAUNCH_REASON], ['after lab down + lab up', NO_RELAUNCH_REASON],
  ]);
  t.is(mesh.downs.length, 0);
});

const FAULTS: Array<[NonNullable<PersistenceFakeOptions['faults']>[number], string[]]> = [
  ['claim-pending', [CHAIN, SAME_PV, RELAUNCHED]],
  // No row, so no database directory either; the drop fails on the same login.
  ['write-fails', [WRITTEN, HOST_WRITE, READ_POD, HOST_DOWN, READ_UP, DROPPED]],
  ['not-on-host', [HOST_WRITE, HOST_DOWN]],
  ['delete-ignored', [RESCHEDULED]],
  // Every later pod (the replacement, the new cluster's) stays unready; the chain itself holds.
  ['never-ready', [RESCHEDULED, READ_POD, RELAUNCHED, READ_UP, DROPPED]],
  ['ephemeral', [READ_POD, READ_UP]],
  ['other-claim', [SAME_PV, READ_POD]],
  ['pv-recreated', [SAME_PV]],
  ['purge-on-down', [HOST_DOWN, READ_UP]],
  ['moved-after-up', [RELAUNCHED, READ_UP]],
  ['up-fails', [RELAUNCHED, DROPPED]],
  ['drop-ignored', [DROPPED]],
];

for (const [fault, parts] of FAULTS) {
  test(`fault ${fault}: fails exactly ${parts.length === 1 ? 'its assertion' : 'its assertions'}`, async (t) => {
    const { report } = await run({ faults: [fault] });
    const failed = failedNames(report);
    t.is(report.status, 'fail');
    t.deepEqual(failed.map((n) => parts.find((p) => n.includes(p)) ?? n).sort(), [...parts].sort(), failed.join(' | '));
    for (const a of assertionsOf(report).filter((x) => x.status === 'fail')) t.truthy(a.actual ?? a.reason, `${a.name} says what it saw`);
  });
}
