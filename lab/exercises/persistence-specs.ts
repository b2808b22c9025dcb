// The persistence exercise's assertions: what act observed (persistence.ts) judged with its
// numbers. The API parts (the pod → claim → PV chain before, after the pod's deletion and after
// `lab down` + `lab up`) are judged everywhere; the row and the files on this machine need a data
// plane (a running MySQL) and, for the files, a provider that mounts LAB_DATA_DIR on its nodes.
import type { AssertionSpec } from './assertions.ts';
import type { HostPath } from './mesh-ops-types.ts';
import { DATABASE, TABLE, type Row, type SqlResult } from './persistence-mysql.ts';
import { chainProblem, describeChain, mysqlTarget, type VolumeView } from './persistence-volume.ts';

export interface Written {
  pod: string | null;
  token: string;
  result: SqlResult | null;
  rows: Row[];
}

export interface ReadBack {
  pod: string | null;
  result: SqlResult | null;
  rows: Row[];
}

/** What a look at this machine's LAB_DATA_DIR found (the database's own directory). */
export type HostLook = { path: string; present: boolean };

export interface Rescheduled {
  old: { name: string; uid: string; node: string | null } | null;
  ok: boolean;
  ms: number;
  timeoutMs: number;
  view: VolumeView;
}

export type Relaunched = { downMs: number; upMs: number; error: string | null; ok: boolean; readyMs: number; view: VolumeView | null };

export const NO_RELAUNCH_REASON = 'skipped: --no-relaunch (lab down + lab up not run)';

const t = () => mysqlTarget();
const claimName = () => `${t().namespace}/${t().claim}`;
const hostText = (h: HostPath) => ('path' in h ? ` — on this machine ${h.path}` : ` (${h.why})`);

export function chainSpec(hostDir: HostPath): AssertionSpec<VolumeView> {
  return {
    name: `claim ${claimName()} Bound to PV ${t().pv} (${t().nodePath} on the nodes), mounted by the MySQL pod`,
    expected: `a Ready ${t().deployment} pod mounting ${t().claim}; the claim Bound to PV ${t().pv}, which keeps its files at ${t().nodePath}${hostText(hostDir)}`,
    judge: (v) => {
      const problem = chainProblem(v) ?? (v.pod?.ready ? undefined : `pod ${v.pod?.name} is not Ready`);
      return { pass: !problem, actual: problem ?? describeChain(v), numbers: { pod: v.pod?.name ?? null, pv: v.pv?.name ?? null, pvUid: v.pv?.uid ?? null, nodePath: v.pv?.path ?? null, hostDir: 'path' in hostDir ? hostDir.path : null } };
    },
  };
}

const rowText = (rows: Row[]) => (rows.length === 0 ? 'no row' : rows.map((r) => `${r.token} written ${r.writtenAt}`).join(', '));

export const writtenSpec: AssertionSpec<Written> = {
  name: `a row written to eng_app's MySQL (${TABLE})`,
  expected: 'the insert succeeds and reading it back gives exactly that one row',
  judge: (w) => ({
    pass: w.result?.exitCode === 0 && w.rows.length === 1,
    actual: !w.pod ? 'no MySQL pod to write to' : w.result?.error ? `mysql failed: ${w.result.error}` : `${rowText(w.rows)} (pod ${w.pod})`,
    numbers: { token: w.token, rows: w.rows.length, writtenAt: w.rows[0]?.writtenAt ?? null, exitCode: w.result?.exitCode ?? null },
  }),
};

export function onHostSpec(when: string): AssertionSpec<HostLook> {
  return {
    name: `${when}: database ${DATABASE} is on this machine under LAB_DATA_DIR/${t().dir}`,
    expected: `the directory MySQL keeps ${DATABASE} in exists under LAB_DATA_DIR/${t().dir}`,
    judge: (h) => ({ pass: h.present, actual: `${h.path} ${h.present ? 'exists' : 'does not exist'}`, numbers: { path: h.path, present: h.present } }),
  };
}

export function rescheduledSpec(timeoutMs: number): AssertionSpec<Rescheduled> {
  return {
    name: `deleting the MySQL pod: a new one (another uid) Ready within ${timeoutMs / 1000} s`,
    expected: `the Deployment replaces the deleted pod; the new pod is Ready ≤ ${timeoutMs / 1000} s after the deletion`,
    judge: (r) => {
      const p = r.view.pod;
      const replaced = !!p && !!r.old && p.uid !== r.old.uid;
      return {
        pass: r.ok && replaced && !!p?.ready,
        actual: !r.old ? 'there was no pod to delete' : !replaced ? `still pod ${r.old.name} (uid ${r.old.uid}) after ${r.ms} ms` : `${r.old.name} → ${p!.name}${p!.node ? ` on ${p!.node}` : ''}, ${p!.ready ? `Ready after ${r.ms} ms` : `not Ready after ${r.ms} ms`}`,
        numbers: { ms: r.ms, timeoutMs: r.timeoutMs, oldPod: r.old?.name ?? null, newPod: p?.name ?? null, oldNode: r.old?.node ?? null, newNode: p?.node ?? null },
      };
    },
  };
}

/** After the pod's deletion: the same claim on the same PV object (its uid), at the same path. */
export function samePvSpec(before: VolumeView): AssertionSpec<Rescheduled> {
  return {
    name: `after the pod's deletion: claim ${t().claim} still Bound to the same PV ${t().pv} (same uid, same path)`,
    expected: `the new pod mounts ${t().claim}; it is Bound to PV ${t().pv} uid ${before.pv?.uid ?? '?'} at ${t().nodePath}`,
    judge: (r) => {
      const problem = chainProblem(r.view) ?? (r.view.pv?.uid !== before.pv?.uid ? `PV ${t().pv} is another object now (uid ${r.view.pv?.uid} ≠ ${before.pv?.uid})` : undefined);
      return { pass: !problem, actual: problem ?? describeChain(r.view), numbers: { pvUidBefore: before.pv?.uid ?? null, pvUidAfter: r.view.pv?.uid ?? null, path: r.view.pv?.path ?? null } };
    },
  };
}

export function readBackSpec(when: string, written: Written | undefined): AssertionSpec<ReadBack> {
  const want = written?.rows[0];
  return {
    name: `${when}: the row reads back unchanged`,
    expected: `exactly the row written (${want ? `${want.token}, written ${want.writtenAt}` : 'none was written'})`,
    judge: (r) => ({
      pass: !!want && r.result?.exitCode === 0 && r.rows.length === 1 && r.rows[0].writtenAt === want.writtenAt,
      actual: !r.pod ? 'no MySQL pod to read from' : r.result?.error ? `mysql failed: ${r.result.error}` : `${rowText(r.rows)} (pod ${r.pod})`,
      numbers: { rows: r.rows.length, writtenAt: r.rows[0]?.writtenAt ?? null, pod: r.pod },
    }),
  };
}

/** After `lab down` + `lab up`: a new cluster (new objects), the claim Bound to the PV of the same name and path. */
export function relaunchedSpec(): AssertionSpec<Relaunched> {
  return {
  name: `after lab down + lab up: claim ${claimName()} Bound to PV ${t().pv} at the same path, MySQL Ready`,
  expected: `lab down (no --purge) and lab up succeed; then the chain as before: PV ${t().pv} at ${t().nodePath}`,
  judge: (r) => {
    const problem = r.error ?? (r.view ? (chainProblem(r.view) ?? (r.view.pod?.ready ? undefined : `pod ${r.view.pod?.name} is not Ready after ${r.readyMs} ms`)) : 'not observed');
    return {
      pass: !problem && r.ok,
      actual: problem ?? `${describeChain(r.view!)} (down ${(r.downMs / 1000).toFixed(1)} s, up ${(r.upMs / 1000).toFixed(1)} s)`,
      numbers: { downMs: r.downMs, upMs: r.upMs, readyMs: r.readyMs, pvUid: r.view?.pv?.uid ?? null, path: r.view?.pv?.path ?? null },
    };
  },
  };
}
