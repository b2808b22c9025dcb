// persistence (seed 004, NFSっぽい PV): eng_app's MySQL keeps its data directory on a statically
// bound PV (manifests/storage: hostPath /opt/nfs/eng_app, which is LAB_DATA_DIR/eng_app on this
// machine on kind and minikube). A row written to MySQL survives (1) the MySQL pod's deletion — the
// Deployment's new pod mounts the same claim, still Bound to the same PV — and (2) `lab down` (never
// --purge) + `lab up` — a new cluster, new PV and claim objects of the same names at the same path,
// and the row is still there. While the cluster is gone, the database's directory is still on this
// machine. The row is in a database of the exercise's own (lab_persistence), dropped by cleanup;
// no lab object is changed. On sim the API parts run (the claim re-binds, also after down/up); the
// SQL and the files are skipped. `--no-relaunch` skips part (2), visibly.
import { statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { judge, type AssertionSpec } from './assertions.ts';
import { REAL_CLOCK, type Clock } from './clock.ts';
import { pollUntil } from './exercise-helpers.ts';
import type { HostPath } from './mesh-ops-types.ts';
import { DATABASE, DROP_SQL, EXISTS_SQL, readSql, rowsOf, runSql, TABLE, writeSql } from './persistence-mysql.ts';
import { chainSpec, NO_RELAUNCH_REASON, writtenSpec, onHostSpec, readBackSpec, relaunchedSpec, rescheduledSpec, samePvSpec, type HostLook, type ReadBack, type Relaunched, type Rescheduled, type Written } from './persistence-specs.ts';
import { chainProblem, describeChain, mysqlTarget, observeVolume, type VolumeView } from './persistence-volume.ts';
import type { Exercise, ExerciseRun } from './types.ts';

export interface PersistenceTiming {
  /** Until MySQL's pod is Ready (a restart reads its data directory; a new cluster pulls the image). */
  podReadyTimeoutMs: number;
  pollMs: number;
  clock: Clock;
}

export const PERSISTENCE_TIMING: PersistenceTiming = { podReadyTimeoutMs: 300_000, pollMs: 1_000, clock: REAL_CLOCK };

export interface PersistenceState {
  token: string;
  before: VolumeView;
  hostDir: HostPath;
}

type Look = HostLook | { cannot: string };

export interface PersistenceObserved {
  before: VolumeView;
  hostDir: HostPath;
  written: Written | undefined;
  hostAfterWrite: Look | undefined;
  rescheduled: Rescheduled;
  readAfterPod: ReadBack | undefined;
  relaunch: Relaunched | { skipped: string };
  hostWhileDown: Look | undefined;
  readAfterRelaunch: ReadBack | undefined;
}

const newToken = () => `run-${randomBytes(6).toString('hex')}`;

/** The database's directory under LAB_DATA_DIR/eng_app (MySQL keeps one directory per database). */
function lookOnHost(hostDir: HostPath): Look {
  if ('why' in hostDir) return { cannot: hostDir.why };
  const p = path.join(hostDir.path, DATABASE);
  try {
    return { path: p, present: statSync(p).isDirectory() };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { path: p, present: false } : { cannot: `${p} cannot be looked at as you (${code}): MySQL's files belong to the container's user` };
  }
}

async function readRow(x: ExerciseRun, token: string): Promise<ReadBack> {
  const v = await observeVolume(x.ops);
  if (!v.pod?.ready) return { pod: null, result: null, rows: [] };
  const result = await runSql(x.ops, mysqlTarget(), v.pod.name, readSql(token));
  return { pod: v.pod.name, result, rows: rowsOf(result, token) };
}

function judgeLook(look: Look | undefined, skipReason: string, when: string) {
  const spec = [onHostSpec(when)];
  if (look && 'cannot' in look) return judge(undefined, `skipped: ${look.cannot}`, spec);
  return judge(look, skipReason, spec);
}

const droppedSpec: AssertionSpec<{ error: string | null; left: number | null }> = {
  name: `database ${DATABASE} dropped (eng_app's MySQL as it was)`,
  expected: `DROP DATABASE ${DATABASE} succeeds and SHOW DATABASES no longer lists it`,
  judge: (d) => ({ pass: d.error === null && d.left === 0, actual: d.error ?? (d.left === 0 ? 'gone' : `still listed (${d.left})`), numbers: { left: d.left } }),
};

export function makePersistence(t: PersistenceTiming = PERSISTENCE_TIMING, token: () => string = newToken): Exercise<PersistenceState, PersistenceObserved> {
  const T = mysqlTarget();
  const untilReady = (x: ExerciseRun, title: string, ok: (v: VolumeView) => boolean) =>
    x.wait(`${title} (≤ ${t.podReadyTimeoutMs / 1000} s)`, () => pollUntil(() => observeVolume(x.ops), ok, t.podReadyTimeoutMs, t.pollMs, t.clock));
  const chainReady = (v: VolumeView) => !chainProblem(v) && !!v.pod?.ready;

  async function relaunch(x: ExerciseRun, s: PersistenceState, written: Written | undefined): Promise<Pick<PersistenceObserved, 'relaunch' | 'hostWhileDown' | 'readAfterRelaunch'>> {
    const rl = x.ops.relaunch;
    if (!rl) return { relaunch: { skipped: NO_RELAUNCH_REASON }, hostWhileDown: undefined, readAfterRelaunch: undefined };
    const timed = async (title: string, fn: () => Promise<void>): Promise<{ ms: number; error: string | null }> => {
      const t0 = t.clock.now();
      try {
        await x.change(title, fn);
        return { ms: t.clock.now() - t0, error: null };
      } catch (err) {
        return { ms: t.clock.now() - t0, error: (err as Error).message };
      }
    };
    const down = await timed('lab down (the cluster goes; LAB_DATA_DIR stays: never --purge)', () => rl.down());
    const hostWhileDown = !down.error && written ? await x.wait(`look for ${DATABASE} on this machine while the lab is down`, async () => lookOnHost(s.hostDir)) : undefined;
    const up = down.error ? { ms: 0, error: null } : await timed('lab up (the same settings)', () => rl.up());
    const error = down.error ? `lab down failed: ${down.error}` : up.error ? `lab up failed: ${up.error}` : null;
    if (error) return { relaunch: { downMs: down.ms, upMs: up.ms, error, ok: false, readyMs: 0, view: null }, hostWhileDown, readAfterRelaunch: undefined };
    const ready = await untilReady(x, 'until MySQL is Ready on its claim in the new cluster', chainReady);
    const readAfterRelaunch = await x.traffic('read the row back after lab down + lab up', () => readRow(x, s.token));
    return { relaunch: { downMs: down.ms, upMs: up.ms, error: null, ok: ready.ok, readyMs: ready.ms, view: ready.value }, hostWhileDown, readAfterRelaunch };
  }

  return {
    name: 'persistence',
    summary: `a row written to eng_app's MySQL survives the pod's deletion and lab down + lab up (same claim, same PV at ${T.nodePath} = LAB_DATA_DIR/${T.dir})`,
    needs: ['storage', 'samples'],
    // It applies no object: it deletes MySQL's pod (its Deployment replaces it), runs SQL, and re-creates the lab.
    manifests: () => ({}),

    async setup(x) {
      const ready = await untilReady(x, `until eng_app's MySQL is Ready on claim ${T.claim}`, chainReady);
      return { token: token(), before: ready.value, hostDir: x.ops.hostPathOf(T.nodePath) };
    },

    async act(x, s) {
      const written = await x.traffic(`write a row to MySQL (${TABLE})`, async (): Promise<Written> => {
        const pod = s.before.pod?.ready ? s.before.pod.name : null;
        const result = pod ? await runSql(x.ops, T, pod, writeSql(s.token)) : null;
        return { pod, token: s.token, result, rows: result ? rowsOf(result, s.token) : [] };
      });
      const hostAfterWrite = written ? await x.wait(`look for ${DATABASE} on this machine`, async () => lookOnHost(s.hostDir)) : undefined;

      const now = await observeVolume(x.ops);
      const old = now.pod ? { name: now.pod.name, uid: now.pod.uid, node: now.pod.node } : null;
      let rescheduled: Rescheduled = { old, ok: false, ms: 0, timeoutMs: t.podReadyTimeoutMs, view: now };
      if (old) {
        await x.change(`delete the MySQL pod ${old.name} (its Deployment makes a new one)`, () => x.ops.delete({ apiVersion: 'v1', kind: 'Pod', namespace: T.namespace, name: old.name }));
        const r = await untilReady(x, 'until a new MySQL pod is Ready', (v) => !!v.pod && v.pod.uid !== old.uid && v.pod.ready);
        rescheduled = { old, ok: r.ok, ms: r.ms, timeoutMs: t.podReadyTimeoutMs, view: r.value };
      }
      const readAfterPod = await x.traffic('read the row back from the new pod', () => readRow(x, s.token));
      return { before: s.before, hostDir: s.hostDir, written, hostAfterWrite, rescheduled, readAfterPod, ...(await relaunch(x, s, written)) };
    },

    assert: (o, skipReason) => {
      const rl = o.relaunch;
      const rlSkip = 'skipped' in rl ? rl.skipped : rl.error ? `skipped: ${rl.error}` : skipReason;
      return [
        ...judge(o.before, skipReason, [chainSpec(o.hostDir)]),
        ...judge(o.written, skipReason, [writtenSpec]),
        ...judgeLook(o.hostAfterWrite, skipReason, 'after the write'),
        ...judge(o.rescheduled, skipReason, [rescheduledSpec(o.rescheduled.timeoutMs), samePvSpec(o.before)]),
        ...judge(o.readAfterPod, skipReason, [readBackSpec("after the pod's deletion", o.written)]),
        ...('skipped' in rl ? judge(undefined, rl.skipped, [relaunchedSpec()]) : judge(rl, skipReason, [relaunchedSpec()])),
        ...judgeLook(o.hostWhileDown, 'skipped' in rl || rl.error ? rlSkip : skipReason, 'with the lab down (no --purge)'),
        ...judge(o.readAfterRelaunch, rlSkip, [readBackSpec('after lab down + lab up', o.written)]),
      ];
    },

    // Nothing of the lab's was changed (the deleted pod was replaced by its Deployment); the
    // exercise's own database goes.
    async cleanup(x, s) {
      if (!s) return;
      const dropped = await x.traffic(`drop database ${DATABASE} (the exercise's own)`, async () => {
        const v = await observeVolume(x.ops);
        if (!v.pod?.ready) return { error: `no Ready MySQL pod (${describeChain(v)})`, left: null };
        const drop = await runSql(x.ops, T, v.pod.name, DROP_SQL);
        const left = await runSql(x.ops, T, v.pod.name, EXISTS_SQL);
        return { error: drop.error ?? left.error, left: left.error ? null : left.rows.length };
      });
      for (const a of judge(dropped, x.skipReason, [droppedSpec])) x.record(a);
    },

    diagnose: (x) =>
      x.ops.collect([
        { title: `the claim ${T.namespace}/${T.claim} and the PV ${T.pv}`, tool: 'kubectl', args: ['get', 'pvc,pv', '-n', T.namespace, '-o', 'wide'] },
        { title: `the MySQL pods (${T.selector})`, tool: 'kubectl', args: ['describe', 'pods', '-n', T.namespace, '-l', T.selector], tailLines: 50 },
        { title: "MySQL's log", tool: 'kubectl', args: ['logs', '-n', T.namespace, `deploy/${T.deployment}`, '-c', T.container, '--tail=40'] },
        { title: `recent events in ${T.namespace}`, tool: 'kubectl', args: ['get', 'events', '-n', T.namespace, '--sort-by=.lastTimestamp'], tailLines: 25 },
      ]),
  };
}

export const persistence = makePersistence();
