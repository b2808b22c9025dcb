// The two changes the canary exercise makes to front-end's pod template, as complete copies of the
// live Deployment (applied server-side, so the restore takes them back field by field).
//
// healthy: a new pod-template annotation. Any template change is a new revision to Flagger; this
//   one changes nothing in how front-end behaves, so its analysis must pass.
// faulty: the same annotation, and front-end started with `--domain=lab-faulty.invalid`.
//   front-end (microservices-demo/front-end 0.3.12, api/endpoints.js) builds every backend URL as
//   "http://catalogue" + "." + domain, "http://carts." + domain, …, from that argument; with a
//   domain that cannot resolve (.invalid is reserved, RFC 2606) every call to a backend fails, and
//   its error handler (helpers/index.js errorHandler) answers 500. Its static pages, `/` included,
//   still answer 200, so the readiness probe passes, Flagger scales the canary up and shifts
//   weight to it, and the load test's GET /catalogue gets 500s: request-success-rate drops to 0 %
//   — a real regression in the app, seen by Istio's sidecar and Prometheus like any other.
//   `command` replaces the image's `npm start` (CMD) with what it runs, `node server.js`
//   (package.json scripts.start; WORKDIR /usr/src/app), plus the argument.
import type { KubernetesObject, V1Container, V1Deployment } from '@kubernetes/client-node';
import { restoreForm } from './snapshot.ts';

export const CHANGE_ANNOTATION = 'cloud-native-lab/canary-change';
export const FAULTY_DOMAIN = 'lab-faulty.invalid';
export const FAULTY_COMMAND = ['node', 'server.js', `--domain=${FAULTY_DOMAIN}`];

export type ChangeKind = 'healthy' | 'faulty';

/** The annotation value that marks one run's change: "healthy" or "faulty" and the run's id. */
export const changeMark = (kind: ChangeKind, run: string) => `${kind}-${run}`;

/**
 * A complete copy of the live front-end Deployment with the change in its pod template. The replica
 * count stays what Flagger set (0 between analyses): Flagger scales the canary itself.
 */
export function withChange(live: KubernetesObject, kind: ChangeKind, run: string): V1Deployment {
  const d = restoreForm(live) as V1Deployment;
  const template = d.spec!.template;
  template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [CHANGE_ANNOTATION]: changeMark(kind, run) } };
  const containers = template.spec!.containers;
  const main = containers.find((c) => c.name === 'front-end') ?? containers[0];
  const changed: V1Container = { ...main };
  if (kind === 'faulty') changed.command = [...FAULTY_COMMAND];
  else delete changed.command;
  template.spec!.containers = containers.map((c) => (c === main ? changed : c));
  return d;
}

/** The change mark in a Deployment's pod template (undefined: none). */
export function markOf(d: KubernetesObject | undefined): string | undefined {
  return (d as V1Deployment | undefined)?.spec?.template?.metadata?.annotations?.[CHANGE_ANNOTATION];
}
