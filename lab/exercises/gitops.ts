// The gitops exercise (LAB_GITOPS=argocd, seed 002): Argo CD runs what the lab's repository says.
// 1. commit front-end replicas N → N+1: the cluster converges within convergeMs;
// 2. `kubectl scale` it to N+2 by hand: self-heal puts N+1 back within selfHealMs;
// 3. revert the commit: back to N, the Application Synced and Healthy at the revert, within convergeMs.
// The commits are made in a scratch clone (your manifests/ is not touched) and stay in the history
// (`lab gitops log`: the change and its revert). Cleanup reverts whatever a failed run left committed
// and scales front-end back, so the lab is left as it was found.
import { randomBytes } from 'node:crypto';
import { LabError } from '../errors.ts';
import { judge, type AssertionSpec } from './assertions.ts';
import { REAL_CLOCK } from './clock.ts';
import { requestRefresh } from '../gitops/app-status.ts';
import { APP, FRONT_END, editReplicas, scaleByHand, view, waitFor, type GitopsTiming, type Waited } from './gitops-act.ts';
import type { GitopsOps, MeshOps } from './mesh-ops-types.ts';
import type { Exercise } from './types.ts';

export const TIMING: GitopsTiming = { convergeMs: 180_000, selfHealMs: 60_000, pollMs: 2_000, clock: REAL_CLOCK };
export const NO_CONTROLLER_ON_SIM = "skipped (sim): no Argo CD controller runs here (its pods need a data plane), so nothing reconciles the Applications; the contract tests run this exercise against a stand-in controller";

export interface GitopsState {
  run: string;
  base: number;
  /** Commits of this run not reverted yet, oldest first. */
  unreverted: string[];
}

export interface GitopsObserved {
  base: number;
  target: number;
  commit: string;
  revert: string;
  rollout: Waited;
  handChangeSeen: boolean;
  selfHeal: Waited;
  back: Waited;
  deadlines: { convergeMs: number; selfHealMs: number };
}

const short = (c: string) => c.slice(0, 8);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const seen = (w: Waited) => `replicas ${w.view.replicas}, ${APP} ${w.view.sync ?? 'no sync status'}/${w.view.health ?? 'no health'} at ${w.view.revision ? short(w.view.revision) : 'no revision'}`;

function gitopsOf(ops: MeshOps): GitopsOps {
  if (!ops.gitops) throw new LabError('the gitops exercise needs the GitOps mode', { detail: 'set LAB_GITOPS=argocd and run `npm run lab -- up`' });
  return ops.gitops;
}

function timed(name: string, what: string, deadline: (o: GitopsObserved) => number, pick: (o: GitopsObserved) => Waited): AssertionSpec<GitopsObserved> {
  return {
    name,
    expected: `${what}, within the deadline`,
    judge: (o) => {
      const w = pick(o);
      return { pass: w.ok && w.ms <= deadline(o), actual: `${w.ok ? 'after' : 'not after'} ${secs(w.ms)} (deadline ${secs(deadline(o))}): ${seen(w)}`, numbers: { seconds: w.ms / 1000, deadlineSeconds: deadline(o) / 1000, replicas: w.view.replicas } };
    },
  };
}

export function makeGitops(t: GitopsTiming = TIMING, newRun: () => string = () => randomBytes(3).toString('hex')): Exercise<GitopsState, GitopsObserved | undefined> {
  return {
    name: 'gitops',
    summary: 'Argo CD rolls out a commit, self-heals a hand change and rolls back a revert (LAB_GITOPS=argocd)',
    needs: ['argocd', 'gitops', 'samples'],
    drivesGitops: true,
    manifests: () => ({}),
    async setup(x) {
      gitopsOf(x.ops);
      const v = await view(x.ops);
      if (v.replicas === null) throw new LabError(`${FRONT_END.namespace}/${FRONT_END.name} is not there; run: npm run lab -- up`);
      return { run: newRun(), base: v.replicas, unreverted: [] };
    },
    async act(x, s) {
      const g = gitopsOf(x.ops);
      if (!(await view(x.ops)).reconciledAt) {
        if (!x.dataPlane) {
          x.record({ name: 'Argo CD reconciles the Applications', status: 'skipped', expected: `Application ${APP} has status.reconciledAt`, actual: null, numbers: {}, reason: NO_CONTROLLER_ON_SIM });
          return undefined;
        }
        throw new LabError(`Argo CD has not reconciled Application ${APP} (no status.reconciledAt): is argocd-application-controller running? (kubectl -n argocd get pods)`);
      }
      const target = s.base + 1;
      const commit = await x.change(`commit front-end replicas ${s.base} → ${target}`, () => g.repo.commitChange(`gitops exercise ${s.run}: front-end replicas ${s.base} → ${target}`, editReplicas(target)));
      s.unreverted.push(commit);
      await x.change(`ask Argo CD to refresh ${APP}`, () => requestRefresh(g.applications, APP));
      const rollout = await x.wait(`front-end at ${target} replicas, ${APP} Synced at ${short(commit)}`, () => waitFor(x.ops, t, target, commit, t.convergeMs));
      await x.change(`kubectl scale front-end --replicas=${target + 1} (by hand)`, () => scaleByHand(x.ops, target + 1));
      const after = await view(x.ops);
      // Read straight back: self-heal takes seconds (Argo CD's first self-heal backoff is 2 s), a read does not.
      const handChangeSeen = after.replicas === target + 1;
      const selfHeal = await x.wait(`self-heal: front-end back at ${target}`, () => waitFor(x.ops, t, target, undefined, t.selfHealMs));
      const revert = await x.change(`revert ${short(commit)}`, () => g.repo.revert(commit, `gitops exercise ${s.run}: revert ${short(commit)}`));
      s.unreverted.pop();
      await x.change(`ask Argo CD to refresh ${APP}`, () => requestRefresh(g.applications, APP));
      const back = await x.wait(`front-end at ${s.base} replicas, ${APP} Synced at ${short(revert)}`, () => waitFor(x.ops, t, s.base, revert, t.convergeMs));
      return { base: s.base, target, commit, revert, rollout, handChangeSeen, selfHeal, back, deadlines: { convergeMs: t.convergeMs, selfHealMs: t.selfHealMs } };
    },
    assert(o, skipReason) {
      return judge(o, o === undefined ? NO_CONTROLLER_ON_SIM : skipReason, [
        timed('a commit is rolled out', 'front-end runs the committed replicas, Application Synced and Healthy at the commit', (x) => x.deadlines.convergeMs, (x) => x.rollout),
        {
          name: 'a hand change is made',
          expected: 'kubectl scale changes the live Deployment (read straight back)',
          judge: (x) => ({ pass: x.handChangeSeen, actual: x.handChangeSeen ? 'changed' : 'the scale did not reach the Deployment', numbers: {} }),
        },
        timed('self-heal reverts a hand change', 'front-end back at the committed replicas', (x) => x.deadlines.selfHealMs, (x) => x.selfHeal),
        timed('reverting the commit brings the start back', 'front-end at its starting replicas, Application Synced and Healthy at the revert', (x) => x.deadlines.convergeMs, (x) => x.back),
      ]);
    },
    async cleanup(x, s) {
      if (!s || !x.ops.gitops) return;
      const g = x.ops.gitops;
      for (const c of [...s.unreverted].reverse()) {
        await x.change(`revert ${short(c)} (left by a failed run)`, () => g.repo.revert(c, `gitops exercise ${s.run}: revert ${short(c)} (cleanup)`));
      }
      s.unreverted = [];
      if ((await view(x.ops)).replicas !== s.base) {
        await x.change(`ask Argo CD to refresh ${APP}`, () => requestRefresh(g.applications, APP));
        await x.change(`kubectl scale front-end --replicas=${s.base} (as it was)`, () => scaleByHand(x.ops, s.base));
      }
    },
    async diagnose(x) {
      return x.ops.collect([
        { title: "Argo CD's Applications", tool: 'kubectl', args: ['get', 'applications.argoproj.io', '-n', 'argocd', '-o', 'wide'] },
        { title: `Application ${APP}: conditions, sync and health`, tool: 'kubectl', args: ['describe', 'applications.argoproj.io', APP, '-n', 'argocd'], tailLines: 80 },
        { title: 'argocd-application-controller log', tool: 'kubectl', args: ['logs', '-n', 'argocd', 'statefulset/argocd-application-controller', '--tail=80'] },
        { title: 'argocd-repo-server log (git fetches)', tool: 'kubectl', args: ['logs', '-n', 'argocd', 'deployment/argocd-repo-server', '--tail=60'] },
        { title: 'the git server', tool: 'kubectl', args: ['logs', '-n', 'argocd', 'deployment/git-server', '--tail=40'] },
      ]);
    },
  };
}

export const gitops = makeGitops();
