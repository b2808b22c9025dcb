// eng_app (seed 004): the objects are manifests/eng-app (the document's mistakes and their fixes are
// written there). This applies the settings: the app image (LAB_ENG_APP_IMAGE) on the app and the
// db-init Job, the Secret's values from eng-app.env, and the Secret's checksum on every pod
// template that reads it, so editing eng-app.env rolls those pods (a Secret change alone restarts
// nothing) and re-runs the Job.
import { createHash } from 'node:crypto';
import type { KubernetesObject, V1Deployment, V1Job, V1Secret } from '@kubernetes/client-node';
import { loadFile, loadManifests, pick } from '../manifests.ts';
import { ENG_APP_SECRET_NAME } from './eng-app-secret.ts';

export const SECRET_CHECKSUM_ANNOTATION = 'lab.cloud-native/secret-sha256';

export interface EngAppOptions {
  /** LAB_ENG_APP_IMAGE; default the manifest's (the seed's docker.io/miyakz1192/eng_app:1). */
  appImage?: string;
  /** The Secret's plain values (from eng-app.env, checked by engAppEnvProblems); default the example's. */
  secretValues?: Record<string, string>;
}

export function secretChecksum(secret: V1Secret): string {
  const data = { ...(secret.data ?? {}), ...(secret.stringData ?? {}) };
  const stable = Object.keys(data).sort().map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}

/** eng_app as plain objects, in apply order. */
export function renderEngApp(opts: EngAppOptions = {}): KubernetesObject[] {
  const objs = loadManifests('eng-app', opts.secretValues ? { secretValues: { [ENG_APP_SECRET_NAME]: opts.secretValues } } : {});
  if (opts.appImage) {
    pick<V1Deployment>(objs, 'Deployment', 'eng-app-app').spec!.template.spec!.containers[0].image = opts.appImage;
    pick<V1Job>(objs, 'Job', 'eng-app-db-init-job').spec!.template.spec!.containers[0].image = opts.appImage;
  }
  const checksum = secretChecksum(pick<V1Secret>(objs, 'Secret', ENG_APP_SECRET_NAME));
  for (const o of objs) {
    if (o.kind !== 'Deployment' && o.kind !== 'Job') continue;
    const meta = ((o as V1Job).spec!.template.metadata ??= {});
    if (meta.annotations?.[SECRET_CHECKSUM_ANNOTATION]) meta.annotations[SECRET_CHECKSUM_ANNOTATION] = checksum;
  }
  return objs;
}

/** Seed 004's DestinationRule exactly as written (host `eng-app-app` names no Service), kept so a
 * test can show `istioctl analyze` reports it. Never applied. */
export function renderSeedOriginalDestinationRule(): KubernetesObject {
  return loadFile('eng-app/seed-original-destination-rule.yaml')[0];
}
