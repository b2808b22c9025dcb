// traffic-split (seed 003, トラフィック制御): send 80% of sock-shop's front-end traffic to v1 and 20%
// to v2 with a DestinationRule (subsets by `version`) and weighted VirtualService routes, then prove
// the split with one fixed sample through the ingress gateway. Each route stamps its version on the
// response (x-lab-version), so every response is counted by the route that served it.
import type { SplitReport } from '../checks/report-types.ts';
import { runSplitCheck } from '../checks/split.ts';
import { judge, noErrors, onlyExpectedLabels, sampleComplete, shareWithin } from './assertions.ts';
import { applyAndVerify, frontEndDiagnostics, frontEndStats } from './exercise-helpers.ts';
import { describePolicy, describeRoutes, DR_REF, phaseObject, phaseObjects, VERSION_HEADER, VS_REF, weightsOf, type Weights } from './front-end-mesh.ts';
import type { Exercise } from './types.ts';

/** The phase manifests/exercises/traffic-split/80-20 applies. */
export const PHASE = '80-20';
/** The split the exercise expects: the weights of the phase's VirtualService. */
export function splitWeights(): Weights {
  return weightsOf(phaseObject('traffic-split', PHASE, 'VirtualService')) as Weights;
}
/** ±5pp at 99% confidence: for 80:20, n = ⌈2.576²·0.2·0.8/0.05²⌉ = 425 requests (lab/checks/stats.ts). */
export const SPLIT_TOLERANCE_PP = 5;
export const SPLIT_CONFIDENCE = 0.99;

export interface SplitObserved {
  split: SplitReport | undefined;
}

/** How long the first responses of every version may take to appear (config push); tests shorten it. */
export interface SplitTiming {
  convergeTimeoutMs: number;
}

export function makeTrafficSplit(t: SplitTiming = { convergeTimeoutMs: 60_000 }): Exercise<void, SplitObserved> {
  return {
    name: 'traffic-split',
    summary: 'sock-shop front-end 80:20 between v1 and v2 (DestinationRule subsets + weighted VirtualService), proved with a fixed sample',
    needs: ['istio', 'samples'],
    manifests: () => ({ [PHASE]: phaseObjects('traffic-split', PHASE) }),

    async setup(x) {
      await x.save([VS_REF, DR_REF]);
      const objs = phaseObjects('traffic-split', PHASE);
      const split = splitWeights();
      await applyAndVerify(x, `route front-end ${split.v1}/${split.v2} with per-version response headers`,
        objs.map((obj) => ({ obj, holds: obj.kind === 'VirtualService' ? describeRoutes(obj) : describePolicy(obj) })));
    },

    async act(x) {
      const w = splitWeights();
      const split = await x.traffic(`${w.v1}/${w.v2} sample through the ingress gateway`, async () =>
        runSplitCheck({
          url: `${await x.ops.ingressUrl()}/`,
          expect: { ...w },
          classify: `header:${VERSION_HEADER}`,
          tolerance: SPLIT_TOLERANCE_PP,
          confidence: SPLIT_CONFIDENCE,
          convergeTimeoutMs: t.convergeTimeoutMs,
        }));
      return { split };
    },

    assert: (o, skipReason) => {
      const w = splitWeights();
      return judge(o.split, skipReason, [
        sampleComplete('split'),
        onlyExpectedLabels('split', ['v1', 'v2']),
        shareWithin('split', 'v1', w.v1, SPLIT_TOLERANCE_PP),
        shareWithin('split', 'v2', w.v2, SPLIT_TOLERANCE_PP),
        noErrors('split'),
      ]);
    },

    async cleanup(x) {
      await x.restore();
    },

    diagnose: (x) => x.ops.collect(frontEndDiagnostics(frontEndStats)),
  };
}

export const trafficSplit = makeTrafficSplit();
