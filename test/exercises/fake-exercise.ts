// A fake exercise over the in-memory mesh, for the runner, JSON and JUnit tests: it changes the
// front-end VirtualService in setup, "sends traffic" in act, and can be told to fail anywhere.
import { LabError } from '../../lab/errors.ts';
import { judge } from '../../lab/exercises/assertions.ts';
import { phaseObject, VS_REF, weightsOf } from '../../lab/exercises/front-end-mesh.ts';
import { runExercise, type RunnerOptions } from '../../lab/exercises/runner.ts';
import type { Exercise } from '../../lab/exercises/types.ts';
import { FakeMesh } from './fake-mesh.ts';

export interface Behaviour {
  setupThrows?: boolean;
  actThrows?: boolean;
  failAssert?: boolean;
  cleanupThrows?: boolean;
  actWaitsMs?: number;
  /** Text the failing assertion reports as its actual value. */
  actualText?: string;
}

export function fakeExercise(b: Behaviour, calls: string[]): Exercise<{ token: string }, { value: number | undefined }> {
  return {
    name: 'fake',
    summary: 'a fake exercise',
    needs: ['istio', 'samples'],
    manifests: () => ({}),
    async setup(x) {
      calls.push('setup');
      await x.save([VS_REF]);
      await x.change('route 80/20', () => x.ops.apply([phaseObject('traffic-split', '80-20', 'VirtualService')]));
      if (b.setupThrows) throw new LabError('setup broke', { detail: 'the detail' });
      return { token: 'state' };
    },
    async act(x) {
      calls.push('act');
      if (b.actWaitsMs) await new Promise((r) => setTimeout(r, b.actWaitsMs));
      const value = await x.traffic('send traffic', async () => 42);
      if (b.actThrows) throw new Error('act broke');
      return { value };
    },
    assert(o, skipReason) {
      calls.push('assert');
      return judge(o.value, skipReason, [
        { name: 'the value is 42', expected: 'value = 42', judge: (v) => ({ pass: !b.failAssert && v === 42, actual: b.actualText ?? `value = ${v}`, numbers: { value: v } }) },
      ]);
    },
    async cleanup(x, s) {
      calls.push(`cleanup:${s?.token ?? 'no state'}`);
      await x.restore();
      if (b.cleanupThrows) throw new Error('cleanup broke');
    },
    async diagnose(x) {
      calls.push('diagnose');
      return x.ops.collect([{ title: 'events', tool: 'kubectl', args: ['get', 'events'] }]);
    },
  };
}

export async function runFake(b: Behaviour, opts: Partial<RunnerOptions> = {}) {
  const calls: string[] = [];
  const mesh = new FakeMesh();
  const report = await runExercise({
    exercise: fakeExercise(b, calls), ops: mesh, provider: 'kind', dataPlane: true, keep: false,
    checkReady: async (needs) => needs.map((step) => ({ step, done: true })),
    ...opts,
  });
  const vs = await mesh.get(VS_REF);
  return { report, calls, mesh, weights: vs ? weightsOf(vs) : undefined };
}

