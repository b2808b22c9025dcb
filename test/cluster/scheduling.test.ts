// The scheduling exercise (and mtls' API parts) on their own sim cluster: the real kube-apiserver,
// controller-manager and kube-scheduler with KWOK nodes labelled like kind's. Each run is the
// exercise itself, in process, with the lab's own MeshOps and readiness checks for the sim project
// (as the CLI builds them: scripts/commands/exercise.ts) until the coordinator registers it in
// lab/exercises/index.ts. Scheduling runs fully: every lab pod on its group, the probe Pending with
// the real scheduler's reason while the app node is cordoned, bound after the uncordon; inverted
// runs (the system node relabelled, the app node cordoned beforehand) fail the assertions meant to
// catch them, for real. Measured times go to t.log.
import test from 'ava';
import path from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { loadConfig } from '../../lab/config.ts';
import { createContext, type LabContext } from '../../lab/context.ts';
import { createMeshOps } from '../../lab/exercises/mesh-ops.ts';
import { checkNeeds, installedStep } from '../../lab/exercises/readiness.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { makeScheduling } from '../../lab/exercises/scheduling.ts';
import type { AnyExercise, ExerciseReport } from '../../lab/exercises/types.ts';
import { memoryOutput } from '../../lab/log.ts';
import { ZxRunner } from '../../lab/run.ts';
import { kube, lab, requireTestenv, simProject } from './harness.ts';
import { assertionsOf, failedNames, one } from '../exercises/report-picks.ts';

const P = simProject(`sched-${process.pid.toString(36)}`);
let ctx: LabContext;

async function runOnSim(exercise: AnyExercise): Promise<ExerciseReport> {
  return runExercise({
    exercise, ops: createMeshOps(ctx), provider: 'sim', dataPlane: false, keep: false,
    checkReady: (needs) => checkNeeds(ctx, needs), installed: (step) => installedStep(ctx, step),
  });
}

const failed = (r: ExerciseReport) => failedNames(r);

async function nodes(): Promise<Array<{ name: string; group: string | undefined; unschedulable: boolean }>> {
  return (await kube(P).list<V1Node>('v1', 'Node')).map((n) => ({ name: n.metadata!.name!, group: n.metadata?.labels?.['node.kubernetes.io/nodegroup'], unschedulable: n.spec?.unschedulable === true }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
const kubectl = (args: string[]) => ctx.run.run(ctx.tool('kubectl'), ['--kubeconfig', P.kubeconfig, '--context', P.context, ...args]);
const probeGone = async () => (await kube(P).get({ apiVersion: 'v1', kind: 'Pod', namespace: 'sock-shop', name: 'scheduling-probe' })) === undefined;

test.before(async () => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  const r = lab(P, ['up']);
  if (r.code !== 0) throw new Error(`lab up failed (${r.code}):\n${r.err}\n${r.out}`);
  const cfg = loadConfig({ root: P.root, env: { ...P.env }, envFile: path.join(P.root, '.env') });
  const out = memoryOutput();
  ctx = createContext({ cfg, log: out.log, status: out.status, run: new ZxRunner(), flags: {} });
});

test.after.always(() => {
  lab(P, ['down', '--purge', '--yes']);
});

test.serial('scheduling on sim: every assertion passes with the real scheduler; nodes and pods left as found', async (t) => {
  const before = await nodes();
  const r = await runOnSim(makeScheduling());
  t.log(formatExerciseReport(r));
  t.deepEqual(r.steps.map((s) => [s.name, s.status]), [['ready', 'pass'], ['setup', 'pass'], ['act', 'pass'], ['assert', 'pass'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
  t.deepEqual(failed(r), []);
  const count = one(r, 'every lab pod on its node group (count)');
  t.true((count.numbers.judged as number) >= 20, count.actual!);
  const reason = one(r, "the scheduler's reason is Unschedulable");
  t.regex(reason.actual!, /^reason Unschedulable: "0\/5 nodes are available: .*1 node\(s\) were unschedulable/);
  t.log(`measured: Unschedulable after ${one(r, 'the probe stays Pending').numbers.ms} ms; bound ${one(r, 'the probe is scheduled').numbers.ms} ms after the uncordon`);
  t.deepEqual(await nodes(), before);
  t.true(await probeGone());
});

test.serial('scheduling on sim, inverted: the system node relabelled deploy fails exactly the pods on it and the count', async (t) => {
  const system = (await nodes()).find((n) => n.group === 'system')!;
  t.is((await kubectl(['label', 'node', system.name, 'node.kubernetes.io/nodegroup=deploy', '--overwrite'])).exitCode, 0);
  try {
    const r = await runOnSim(makeScheduling());
    const off = assertionsOf(r).filter((a) => a.status === 'fail' && a.name.startsWith('placement: ') && !a.name.endsWith('(count)'));
    t.true(off.length >= 1, failed(r).join(' | '));
    t.true(off.every((a) => a.actual === `on ${system.name} (deploy)` && a.numbers.intended === 'system'), JSON.stringify(off.map((a) => a.actual)));
    t.deepEqual(failed(r).sort(), [...off.map((a) => a.name), 'placement: every lab pod on its node group (count)'].sort());
    t.log(`relabelled ${system.name}: ${off.length} pod(s) off their group: ${off.map((a) => a.name).join('; ')}`);
  } finally {
    await kubectl(['label', 'node', system.name, 'node.kubernetes.io/nodegroup=system', '--overwrite']);
  }
});

test.serial('scheduling on sim, inverted: the app node cordoned beforehand stays cordoned, so the probe is never scheduled (fails)', async (t) => {
  const app = (await nodes()).find((n) => n.group === 'app')!;
  t.is((await kubectl(['cordon', app.name])).exitCode, 0);
  try {
    const r = await runOnSim(makeScheduling({ pendingTimeoutMs: 30_000, holdMs: 2_000, scheduleTimeoutMs: 10_000, pollMs: 250, clock: { now: () => Date.now(), sleep: (ms) => new Promise((res) => setTimeout(res, ms)) } }));
    t.deepEqual(failed(r), [one(r, 'the probe is scheduled').name]);
    t.regex(one(r, 'the probe is scheduled').actual!, /^still unbound after \d+ ms: Unschedulable "0\/5 nodes are available: .*1 node\(s\) were unschedulable/);
    t.is(one(r, `node ${app.name}: spec.unschedulable back to true`).status, 'pass');
    t.true((await nodes()).find((n) => n.name === app.name)!.unschedulable, 'still cordoned, as before the exercise');
    t.true(await probeGone());
  } finally {
    await kubectl(['uncordon', app.name]);
  }
});
