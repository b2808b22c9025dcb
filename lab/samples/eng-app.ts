// eng_app (seed 004): a Rails app on port 3000 with MySQL 5.7.29, two statically bound volumes and
// the Istio objects, as the seed designs them, with its mistakes fixed:
// - DestinationRule host `eng-app-app` → `eng-app-app-service` (the seed suspected this itself);
//   the VirtualService now routes to its subset v1, so the rule (and ISTIO_MUTUAL) is in effect;
// - MySQL's Service port was named `http` (Istio would parse MySQL bytes as HTTP) → `tcp-mysql`;
// - MySQL gets strategy Recreate: a rolling update would start a 2nd mysqld on the RWO volume;
// - PVCs name their PV and storage class, so each binds to the PV meant for it (storage-objects.ts);
// - the db-init Job runs without a sidecar (a Job's pod never completes while Envoy runs) and
//   waits for MySQL instead of failing into backoff;
// - the VirtualService host defaults to `eng-app.localhost`, not "*": sock-shop already owns "*"
//   on the shared ingress port 80. Browse http://eng-app.localhost:<LAB_HTTP_PORT>/.
import { createHash } from 'node:crypto';
import type { KubernetesObject, V1Container, V1EnvFromSource, V1Job, V1PersistentVolumeClaim, V1Probe, V1Secret } from '@kubernetes/client-node';
import { MANAGED_BY } from '../kube.ts';
import { STORAGE_CLASS } from '../steps/storage-objects.ts';
import { SAMPLE_IMAGES } from '../versions.ts';
import { ENG_APP_DATA_MOUNT, ENG_APP_MYSQL_SERVICE, ENG_APP_NAMESPACE as NS, ENG_APP_SECRET_NAME } from './eng-app-secret.ts';
import { destinationRule, gateway, virtualService, type IstioObject } from './istio.ts';
import { APP_NODE_SELECTOR, deployment, namespace, service, sized } from './k8s.ts';

export const ENG_APP_SERVICE = 'eng-app-app-service';
export const ENG_APP_PORT = 3000;
export const ENG_APP_DEFAULT_HOST = 'eng-app.localhost';
const APP_DIR = '/english_study_app/eng_app';

export interface EngAppOptions {
  /** Default SAMPLE_IMAGES.engApp.app (the seed's docker.io/miyakz1192/eng_app:1). */
  appImage?: string;
  /** From buildEngAppSecret(). */
  secret: V1Secret;
  /** Host the VirtualService answers for; default eng-app.localhost. */
  host?: string;
}

const FROM_SECRET: V1EnvFromSource[] = [{ secretRef: { name: ENG_APP_SECRET_NAME } }];

/** `mysqladmin ping` exits 0 whenever mysqld answers, even "access denied": no password needed. */
const MYSQL_PING: V1Probe = { exec: { command: ['mysqladmin', 'ping', '-h', '127.0.0.1', '--silent'] }, timeoutSeconds: 3 };
const APP_TCP: V1Probe = { tcpSocket: { port: ENG_APP_PORT }, timeoutSeconds: 2 };

/** Static claims (10Gi each, as the seed's); tests check them against storage-objects.ts's PVs. */
function claim(name: string, volumeName: string, mode: 'ReadWriteOnce' | 'ReadOnlyMany'): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS, labels: { ...MANAGED_BY } },
    spec: { accessModes: [mode], storageClassName: STORAGE_CLASS, volumeName, resources: { requests: { storage: '10Gi' } } },
  };
}

function mysql(): KubernetesObject[] {
  const c: V1Container = {
    name: 'eng-app-mysql',
    image: SAMPLE_IMAGES.engApp.mysql,
    ports: [{ name: 'mysql', containerPort: 3306 }],
    envFrom: FROM_SECRET,
    volumeMounts: [{ name: 'eng-app-pv', mountPath: '/var/lib/mysql' }],
    resources: sized('100m', '256Mi', '1Gi'),
    // The first start initialises the data directory (~1 min on a laptop): up to 5 min allowed.
    startupProbe: { ...MYSQL_PING, periodSeconds: 5, failureThreshold: 60 },
    readinessProbe: { ...MYSQL_PING, periodSeconds: 5 },
    livenessProbe: { ...MYSQL_PING, periodSeconds: 10, failureThreshold: 3 },
  };
  const volumes = [{ name: 'eng-app-pv', persistentVolumeClaim: { claimName: 'eng-app-pvc' } }];
  return [
    deployment({ namespace: NS, name: 'eng-app-mysql', containers: [c], volumes, strategy: 'Recreate' }),
    service(NS, ENG_APP_MYSQL_SERVICE, 'eng-app-mysql', [{ name: 'tcp-mysql', port: 3306 }]),
  ];
}

function app(image: string): KubernetesObject[] {
  const c: V1Container = {
    name: 'eng-app-app',
    image,
    ports: [{ name: 'http', containerPort: ENG_APP_PORT }],
    // The seed's start command: serve the voice files from the data volume, then start Rails.
    // Two changes: `rm -rf` (no error when public/voice is absent) and `exec`, so SIGTERM
    // reaches Rails instead of a shell that ignores it.
    command: ['/bin/sh', '-c', `cd ${APP_DIR}/public/; rm -rf voice; ln -s ${ENG_APP_DATA_MOUNT}/voice/ voice; cd ${APP_DIR}/; exec rails s -b=0.0.0.0`],
    envFrom: FROM_SECRET,
    volumeMounts: [{ name: 'eng-app-data', mountPath: ENG_APP_DATA_MOUNT, readOnly: true }],
    resources: sized('100m', '384Mi', '1Gi'),
    // TCP, not HTTP: in development mode the first page compiles assets and can take a minute.
    startupProbe: { ...APP_TCP, periodSeconds: 5, failureThreshold: 60 },
    readinessProbe: { ...APP_TCP, periodSeconds: 5 },
    livenessProbe: { ...APP_TCP, periodSeconds: 10, failureThreshold: 3 },
  };
  const volumes = [{ name: 'eng-app-data', persistentVolumeClaim: { claimName: 'eng-app-data-pvc', readOnly: true } }];
  return [
    deployment({ namespace: NS, name: 'eng-app-app', containers: [c], volumes }),
    service(NS, ENG_APP_SERVICE, 'eng-app-app', [{ name: 'http-web', port: ENG_APP_PORT }]),
  ];
}

/**
 * The seed's first-run Job: "DB initialisation, table creation, seed data". The seed does not show
 * its manifest, so the command is an ASSUMPTION built from the app's own repository: its notes
 * run `rails db:create` and `rails db:migrate` (development environment, matching DATABASE_DEV_*),
 * and its db/seeds.rb reads SENTENCE_FILE_PATH and INIT_USER_* (hence the data volume here).
 * seeds.rb deletes sentences and users before inserting, so a re-run does not duplicate rows; but a
 * Job's template is immutable: to re-run, delete the Job (and, to start over as the seed says,
 * MySQL's data in LAB_DATA_DIR/eng_app).
 */
function dbInitJob(image: string): V1Job {
  const labels = { ...MANAGED_BY, app: 'eng-app-db-init', 'sidecar.istio.io/inject': 'false' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'eng-app-db-init-job', namespace: NS, labels: { ...MANAGED_BY, app: 'eng-app-db-init' } },
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds: 1800, // includes pulling two large images and MySQL's first start
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { ...APP_NODE_SELECTOR },
          initContainers: [
            {
              name: 'wait-for-mysql',
              image: SAMPLE_IMAGES.engApp.mysql,
              command: ['/bin/sh', '-c', 'until mysqladmin ping -h "$DATABASE_DEV_HOST" --silent; do echo waiting for MySQL; sleep 3; done'],
              envFrom: FROM_SECRET,
              resources: sized('10m', '32Mi', '128Mi'),
            },
          ],
          containers: [
            {
              name: 'db-init',
              image,
              command: ['/bin/sh', '-c', `cd ${APP_DIR} && rails db:create && rails db:migrate && rails db:seed`],
              envFrom: FROM_SECRET,
              volumeMounts: [{ name: 'eng-app-data', mountPath: ENG_APP_DATA_MOUNT, readOnly: true }],
              resources: sized('100m', '384Mi', '1Gi'),
            },
          ],
          volumes: [{ name: 'eng-app-data', persistentVolumeClaim: { claimName: 'eng-app-data-pvc', readOnly: true } }],
        },
      },
    },
  };
}

function mesh(host: string): IstioObject[] {
  return [
    gateway(NS, 'eng-app-gateway', [host]),
    virtualService(NS, 'eng-app-virtual-service', [host], ['eng-app-gateway'], [
      { host: ENG_APP_SERVICE, subset: 'v1', port: ENG_APP_PORT, weight: 100 },
    ]),
    destinationRule(NS, 'eng-app-destination-rules', ENG_APP_SERVICE, ['v1'], { tls: { mode: 'ISTIO_MUTUAL' } }),
  ];
}

/** On every pod template that reads the Secret: editing eng-app.env changes it, so `lab seed
 * eng-app` rolls those pods (a Secret change alone never restarts a pod) and re-runs the Job. */
export const SECRET_CHECKSUM_ANNOTATION = 'lab.cloud-native/secret-sha256';

export function secretChecksum(secret: V1Secret): string {
  const data = { ...(secret.data ?? {}), ...(secret.stringData ?? {}) };
  const stable = Object.keys(data).sort().map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}

function stampChecksum(objs: KubernetesObject[], checksum: string): KubernetesObject[] {
  for (const o of objs) {
    if (o.kind !== 'Deployment' && o.kind !== 'Job') continue;
    const meta = ((o as V1Job).spec!.template.metadata ??= {});
    meta.annotations = { ...meta.annotations, [SECRET_CHECKSUM_ANNOTATION]: checksum };
  }
  return objs;
}

/** eng_app as plain objects, in apply order (the Secret and claims before the pods that use them). */
export function renderEngApp(opts: EngAppOptions): KubernetesObject[] {
  const image = opts.appImage ?? SAMPLE_IMAGES.engApp.app;
  // Deep copy: the builders share constant sub-objects, and a caller may edit what it gets.
  return stampChecksum(structuredClone([
    namespace(NS),
    opts.secret,
    claim('eng-app-pvc', 'eng-app', 'ReadWriteOnce'),
    claim('eng-app-data-pvc', 'eng-app-data', 'ReadOnlyMany'),
    ...mysql(),
    ...app(image),
    dbInitJob(image),
    ...mesh(opts.host ?? ENG_APP_DEFAULT_HOST),
  ]), secretChecksum(opts.secret));
}

/** Seed 004's DestinationRule exactly as written (host `eng-app-app` names no Service), kept so a
 * test can show `istioctl analyze` reports it. Never applied. */
export function renderSeedOriginalDestinationRule(): IstioObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'DestinationRule',
    metadata: { name: 'eng-app-destination-rules', namespace: NS },
    spec: {
      host: 'eng-app-app',
      subsets: [{ labels: { version: 'v1' }, name: 'v1' }],
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
    },
  };
}
