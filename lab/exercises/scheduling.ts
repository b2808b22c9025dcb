// scheduling (seed 002, ワーカーNodeの種類分け): the lab's nodes carry node.kubernetes.io/nodegroup
// (app, deploy, ingress, system) and every workload asks for its group with a nodeSelector. Part (a):
// every pod of the lab's namespaces runs on a node of the group its workload's manifest names (read
// off the lab's manifests, the IstioOperator and the chart contract — not off the live pod). Part
// (b): cordon the app node(s), create a probe pod for the app group: the real kube-scheduler leaves
// it Pending with reason Unschedulable; uncordon: it is bound to an app node. Nothing here needs a
// data plane, so it runs fully on sim (the real scheduler, KWOK nodes).
//
// The app nodes are the nodes labelled node.kubernetes.io/nodegroup=app — on kind, minikube and sim
// the lab's own workers; on `existing` the nodes that label was given to for the lab (preflight
// requires it; --label-nodes writes it). Cordoning marks them unschedulable for the few seconds of
// the probe and evicts nothing; with no node in the group, part (b) is skipped, saying so.
import { LabError } from '../errors.ts';
import { judge } from './assertions.ts';
import { pollUntil } from './exercise-helpers.ts';
import { APP_GROUP, APP_SELECTOR, appNodes, cordonAndProbe, CORDON_TIMING, probeRef, restoreNodes, type CordonObservation, type CordonState, type CordonTiming } from './scheduling-cordon.ts';
import { intendedWorkloads, labNamespaces, type IntendedWorkload } from './scheduling-groups.ts';
import { observePlacements, type Placement } from './scheduling-pods.ts';
import { cordonSpecs, placementAssertions } from './scheduling-specs.ts';
import { phaseObjects } from './front-end-mesh.ts';
import type { Exercise } from './types.ts';

export const NO_APP_NODE_REASON = `skipped: no node carries ${APP_SELECTOR}, so there is no app node group to cordon`;

export interface SchedulingObserved {
  placements: Placement[] | undefined;
  cordon: CordonObservation | { skipped: string };
}

export function makeScheduling(t: CordonTiming = CORDON_TIMING, intended: () => Map<string, IntendedWorkload> = () => intendedWorkloads()): Exercise<CordonState, SchedulingObserved> {
  const probe = probeRef();
  const what = `${probe.namespace}/${probe.name}`;
  return {
    name: 'scheduling',
    summary: `every lab pod on its node group (per pod); cordon the ${APP_GROUP} node(s): a new ${APP_GROUP} pod stays Pending (Unschedulable), uncordon: it is scheduled`,
    needs: ['node-groups', 'istio', 'samples'],
    manifests: () => ({ probe: phaseObjects('scheduling', 'probe') }),

    async setup(x) {
      if (await x.ops.get(probe)) {
        // Left by a run with --keep: our own pod, not the lab's; a new one is made below.
        await x.change(`delete the probe pod ${what} left by an earlier run`, () => x.ops.delete(probe));
        const gone = await x.wait(`until ${what} is gone`, () => pollUntil(() => x.ops.get(probe), (p) => p === undefined, t.pendingTimeoutMs, t.pollMs, t.clock));
        if (!gone.ok) throw new LabError(`the probe pod ${what} from an earlier run is still there ${gone.ms} ms after its deletion`);
      }
      await x.save([probe]);
      const before = await x.wait(`record spec.unschedulable of every ${APP_GROUP} node`, () => appNodes(x));
      return { before, cordoned: [] };
    },

    async act(x, state) {
      const table = intended();
      const placements = await x.wait("where every pod of the lab's namespaces runs (pod → node → the node's group)", () => observePlacements(x.ops, labNamespaces(table), table));
      if (state.before.length === 0) return { placements, cordon: { skipped: NO_APP_NODE_REASON } };
      return { placements, cordon: await cordonAndProbe(x, state, t) };
    },

    assert: (o, skipReason) => [
      ...placementAssertions(o.placements, skipReason),
      ...('skipped' in o.cordon ? judge(undefined, o.cordon.skipped, cordonSpecs(t)) : judge(o.cordon, skipReason, cordonSpecs(t))),
    ],

    // Always: the nodes first (never leave the app group cordoned), then the probe pod.
    async cleanup(x, state) {
      if (state) await restoreNodes(x, state);
      await x.restore();
    },

    diagnose: (x) =>
      x.ops.collect([
        { title: 'nodes and their node groups', tool: 'kubectl', args: ['get', 'nodes', '-L', 'node.kubernetes.io/nodegroup', '-o', 'wide'] },
        { title: `the probe pod ${what}`, tool: 'kubectl', args: ['describe', 'pod', probe.name, '-n', probe.namespace!], tailLines: 40 },
        { title: 'every pod and its node', tool: 'kubectl', args: ['get', 'pods', '-A', '-o', 'wide'], tailLines: 80 },
        { title: `recent events in ${probe.namespace}`, tool: 'kubectl', args: ['get', 'events', '-n', probe.namespace!, '--sort-by=.lastTimestamp'], tailLines: 25 },
      ]),
  };
}

export const scheduling = makeScheduling();
