// The pod lifecycle the sim's KWOK controller plays, with two failure modes a real cluster has and
// KWOK's defaults never show: an image that cannot be pulled, and a container that keeps crashing.
// A pod gets one when one of its images has a tag starting with a marker below; every other pod
// behaves as KWOK's defaults make it (Ready, Jobs Complete, deleted on request).
//
// Stages given to kwokctl replace all of KWOK's defaults (kwokctl passes its defaults only when the
// config has no Stage), so the defaults are read from the kwok module the test environment builds
// from (never copied into this repository), and the two that would make a faulty pod Ready or
// Succeeded get one more condition: "no faulty image".
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toYamlDocs } from '../yaml.ts';
import { TESTENV } from '../versions.ts';
import { modDownload } from './go.ts';

/** Image tag prefixes that make the sim fail a pod like a real kubelet would. */
const SIM_FAULTS = {
  /** ErrImagePull with the registry's "not found", e.g. front-end:sim-no-such-image. */
  pullError: 'sim-no-such-image',
  /** Running, a container in CrashLoopBackOff after 3 restarts (exit code 1). */
  crashLoop: 'sim-crashloop',
} as const;

const DEFAULTS = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];

const imagesMatching = (re: string) => `.spec.containers.[] | select(.image | test(":(${re})")) | .image`;
const ANY_FAULT = imagesMatching(`${SIM_FAULTS.pullError}|${SIM_FAULTS.crashLoop}`);

type Stage = { metadata: { name: string }; spec: { selector?: { matchExpressions?: unknown[] } } };

const notDeleted = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const pending = { key: '.status.phase', operator: 'In', values: ['Pending'] };

function podStage(name: string, matchExpressions: unknown[], statusTemplate: string) {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: { resourceRef: { apiGroup: 'v1', kind: 'Pod' }, selector: { matchExpressions }, weight: 1, next: { statusTemplate } },
  };
}

const CONDITIONS = `{{ $now := Now }}
conditions:
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "False"
  reason: ContainersNotReady
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "False"
  reason: ContainersNotReady
  lastTransitionTime: {{ $now | Quote }}
`;

/** What the lab adds: the two failure modes. */
function faultStages(): object[] {
  const pullError = podStage('lab-image-pull-error', [notDeleted, pending, { key: imagesMatching(SIM_FAULTS.pullError), operator: 'Exists' },
    { key: '.status.containerStatuses.[].state.waiting.reason', operator: 'NotIn', values: ['ErrImagePull'] }], `${CONDITIONS}
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    waiting:
{{ if contains ":${SIM_FAULTS.pullError}" .image }}
      reason: ErrImagePull
      message: {{ printf "failed to pull and unpack image %q: failed to resolve reference %q: %s: not found" .image .image .image | Quote }}
{{ else }}
      reason: ContainerCreating
{{ end }}
{{ end }}
phase: Pending
startTime: {{ $now | Quote }}
`);
  const crashLoop = podStage('lab-crash-loop', [notDeleted, pending, { key: imagesMatching(SIM_FAULTS.crashLoop), operator: 'Exists' }], `${CONDITIONS}
{{ $pod := .metadata.name }}
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
{{ if contains ":${SIM_FAULTS.crashLoop}" .image }}
  ready: false
  started: false
  restartCount: 3
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off 40s restarting failed container=%s pod=%s" .name $pod | Quote }}
{{ else }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`);
  return [pullError, crashLoop];
}

/** KWOK's own default stages for nodes and pods, read from the kwok module the testenv builds. */
async function defaultStages(): Promise<Stage[]> {
  const mod = await modDownload('sigs.k8s.io/kwok', TESTENV.kwok, tmpdir());
  const out: Stage[] = [];
  for (const file of DEFAULTS) out.push(parse(await readFile(join(mod.Dir, file), 'utf8')) as Stage);
  return out;
}

/** The complete stage set: KWOK's defaults (a faulty pod never Ready or Succeeded) + the faults. */
export async function simStages(): Promise<string> {
  const stages = await defaultStages();
  for (const s of stages.filter((x) => ['pod-ready', 'pod-complete'].includes(x.metadata.name))) {
    s.spec.selector = { ...s.spec.selector, matchExpressions: [...(s.spec.selector?.matchExpressions ?? []), { key: ANY_FAULT, operator: 'DoesNotExist' }] };
  }
  return toYamlDocs([...stages, ...faultStages()] as never[]);
}
