// Sock-shop (microservices-demo) for the mesh exercises, written from the facts of its
// deploy/kubernetes: 14 Deployments + Services, plus a front-end v2 and the Istio objects of
// seed 003 (gateway, 80:20 split, circuit breaking) in their starting state.
//
// Differences from upstream, and why:
// - labels `app` + `version` (Istio/Kiali), Service ports named with Istio protocol prefixes
//   (unnamed ports are opaque TCP: no HTTP metrics, no retries, no subsets by route);
// - `kubernetes.io/os` instead of the removed beta label, and the `app` node group;
// - mongo pinned to 4.4 (5+ needs AVX, 6+ breaks carts), redis to a major;
// - startupProbes instead of 300 s initialDelaySeconds: the same 5 min of patience for slow
//   starts, but Ready as soon as the app answers, and a later hang is caught in ~30 s;
// - laptop-sized resources (table below) and small sidecars (k8s.ts).
//
// Resources (requests cpu / memory, memory limit; no CPU limits, see k8s.ts `sized`):
//   front-end, front-end-v2                    25m / 128Mi, 512Mi   (Node.js)
//   carts, orders, shipping, queue-master      50m / 256Mi, 512Mi   (JVM with -Xmx128m)
//   catalogue, payment, user                   10m /  32Mi, 128Mi   (Go)
//   carts-db, orders-db, user-db               25m / 128Mi, 512Mi   (mongo, 0.25 GB cache)
//   catalogue-db                               25m / 256Mi, 768Mi   (MySQL 5.7)
//   session-db                                 10m /  16Mi, 128Mi   (redis, no persistence)
//   rabbitmq + exporter                        35m / 224Mi, 640Mi
// Total ≈ 0.6 CPU and 3.2 GiB requested including 15 sidecars at 10m / 64Mi.
import type { KubernetesObject, V1Container, V1Probe } from '@kubernetes/client-node';
import { SAMPLE_IMAGES } from '../versions.ts';
import { destinationRule, gateway, virtualService } from './istio.ts';
import { deployment, namespace, service, sized, TMP_MOUNT, TMP_VOLUME, type WorkloadSpec } from './k8s.ts';

export const SOCK_SHOP_NAMESPACE = 'sock-shop';
const NS = SOCK_SHOP_NAMESPACE;
const IMG = SAMPLE_IMAGES.sockShop;

export interface SockShopOptions {
  /** Image of front-end v2; default SAMPLE_IMAGES.sockShop.frontEndV2 (v1's image, labelled v2). */
  frontEndV2Image?: string;
}

// The weaveworks images run as uid 10001; their binaries carry the file capability to bind
// port 80, which is why NET_BIND_SERVICE stays and allowPrivilegeEscalation is not turned off.
const APP_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 10001,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
};
// Data stores start as root and switch to their own user, so they keep CHOWN/SETUID/SETGID.
const STORE_SECURITY = { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['CHOWN', 'SETGID', 'SETUID'] } };

const JAVA_OPTS = '-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false';

/** Startup: up to 60 × 5 s (upstream waited 300 s). Liveness: port open. Readiness: `path` if the
 * app has a health page, else port open. */
function probes(port: number, path?: string): Pick<V1Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  const tcp: V1Probe = { tcpSocket: { port }, timeoutSeconds: 2 };
  const ready: V1Probe = path ? { httpGet: { path, port }, timeoutSeconds: 2 } : tcp;
  return {
    startupProbe: { ...tcp, periodSeconds: 5, failureThreshold: 60 },
    livenessProbe: { ...tcp, periodSeconds: 10, failureThreshold: 3 },
    readinessProbe: { ...ready, periodSeconds: 5, failureThreshold: 3 },
  };
}

function workload(name: string, c: Omit<V1Container, 'name'>, extra: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return { namespace: NS, name, containers: [{ name, ...c }], ...extra };
}

function javaService(name: string, image: string): WorkloadSpec {
  return workload(
    name,
    {
      image,
      env: [{ name: 'JAVA_OPTS', value: JAVA_OPTS }],
      ports: [{ name: 'http', containerPort: 80 }],
      resources: sized('50m', '256Mi', '512Mi'),
      securityContext: APP_SECURITY,
      volumeMounts: [TMP_MOUNT],
      ...probes(80),
    },
    { volumes: [TMP_VOLUME] },
  );
}

function goService(name: string, image: string, extra: Partial<V1Container> = {}): WorkloadSpec {
  return workload(name, {
    image,
    ports: [{ name: 'http', containerPort: 80 }],
    resources: sized('10m', '32Mi', '128Mi'),
    securityContext: APP_SECURITY,
    ...probes(80, '/health'),
    ...extra,
  });
}

/** carts-db / orders-db. mongod 4.4 does not read cgroup v2 limits, so without an explicit
 * cache size it would size WiredTiger from the host's RAM and be OOM-killed. Data is disposable. */
function mongoStore(name: string): WorkloadSpec {
  const dirs = ['/data/db', '/data/configdb'];
  return workload(
    name,
    {
      image: IMG.mongo,
      args: ['--wiredTigerCacheSizeGB', '0.25'],
      ports: [{ name: 'mongo', containerPort: 27017 }],
      resources: sized('25m', '128Mi', '512Mi'),
      securityContext: STORE_SECURITY,
      volumeMounts: [TMP_MOUNT, ...dirs.map((d, i) => ({ name: `data-${i}`, mountPath: d }))],
    },
    { volumes: [TMP_VOLUME, ...dirs.map((_, i) => ({ name: `data-${i}`, emptyDir: {} }))] },
  );
}

function frontEnd(name: string, version: string, image: string): WorkloadSpec {
  return workload(
    name,
    {
      image,
      env: [{ name: 'SESSION_REDIS', value: 'true' }],
      ports: [{ name: 'http', containerPort: 8079 }],
      resources: sized('25m', '128Mi', '512Mi'),
      securityContext: { ...APP_SECURITY, capabilities: { drop: ['ALL'] } }, // 8079 needs no capability
      ...probes(8079, '/'),
    },
    { app: 'front-end', version },
  );
}

function workloads(opts: SockShopOptions): WorkloadSpec[] {
  return [
    frontEnd('front-end', 'v1', IMG.frontEnd),
    frontEnd('front-end-v2', 'v2', opts.frontEndV2Image ?? IMG.frontEndV2),
    javaService('carts', IMG.carts),
    mongoStore('carts-db'),
    goService('catalogue', IMG.catalogue, { command: ['/app'], args: ['-port=80'] }),
    workload('catalogue-db', {
      image: IMG.catalogueDb,
      // The catalogue-db image's own demo credentials; nothing outside the mesh can reach it.
      env: [{ name: 'MYSQL_ROOT_PASSWORD', value: 'fake_password' }, { name: 'MYSQL_DATABASE', value: 'socksdb' }],
      ports: [{ name: 'mysql', containerPort: 3306 }],
      resources: sized('25m', '256Mi', '768Mi'),
    }),
    javaService('orders', IMG.orders),
    mongoStore('orders-db'),
    goService('payment', IMG.payment),
    javaService('queue-master', IMG.queueMaster),
    workload(
      'rabbitmq',
      {
        image: IMG.rabbitmq,
        ports: [{ name: 'amqp', containerPort: 5672 }, { name: 'management', containerPort: 15672 }],
        resources: sized('25m', '192Mi', '512Mi'),
        securityContext: { ...STORE_SECURITY, capabilities: { drop: ['ALL'], add: ['CHOWN', 'SETGID', 'SETUID', 'DAC_OVERRIDE'] } },
      },
    ),
    workload(
      'session-db',
      {
        image: IMG.redis,
        // Sessions are disposable: no snapshots, so a read-only root can never stop writes (MISCONF).
        args: ['--save', '', '--appendonly', 'no'],
        ports: [{ name: 'redis', containerPort: 6379 }],
        resources: sized('10m', '16Mi', '128Mi'),
        securityContext: STORE_SECURITY,
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { volumes: [{ name: 'data', emptyDir: {} }] },
    ),
    javaService('shipping', IMG.shipping),
    goService('user', IMG.user, { env: [{ name: 'MONGO_HOST', value: 'user-db:27017' }] }),
    workload(
      'user-db',
      {
        image: IMG.userDb,
        ports: [{ name: 'mongo', containerPort: 27017 }],
        resources: sized('25m', '128Mi', '512Mi'),
        securityContext: STORE_SECURITY,
        volumeMounts: [TMP_MOUNT],
      },
      { volumes: [TMP_VOLUME] },
    ),
  ];
}

/** The exporter rides in the rabbitmq pod, as upstream has it. */
const RABBITMQ_EXPORTER: V1Container = {
  name: 'rabbitmq-exporter',
  image: IMG.rabbitmqExporter,
  // kbudde/rabbitmq-exporter ≥ 0.29 listens on 9419 by default; upstream sock-shop declares 9090.
  env: [{ name: 'PUBLISH_PORT', value: '9090' }],
  ports: [{ name: 'http-metrics', containerPort: 9090 }],
  resources: sized('10m', '32Mi', '128Mi'),
};

/** Service port per app (front-end-v2 shares front-end's Service through the `app` label). */
const SERVICE_PORTS: Record<string, { name: string; port: number; targetPort?: number }[]> = {
  'front-end': [{ name: 'http', port: 80, targetPort: 8079 }],
  carts: [{ name: 'http', port: 80 }],
  'carts-db': [{ name: 'mongo', port: 27017 }],
  catalogue: [{ name: 'http', port: 80 }],
  'catalogue-db': [{ name: 'mysql', port: 3306 }],
  orders: [{ name: 'http', port: 80 }],
  'orders-db': [{ name: 'mongo', port: 27017 }],
  payment: [{ name: 'http', port: 80 }],
  'queue-master': [{ name: 'http', port: 80 }],
  // Istio has no AMQP protocol: `tcp-` keeps it opaque TCP while satisfying the naming rule.
  rabbitmq: [{ name: 'tcp-amqp', port: 5672 }, { name: 'http-metrics', port: 9090 }],
  'session-db': [{ name: 'redis', port: 6379 }],
  shipping: [{ name: 'http', port: 80 }],
  user: [{ name: 'http', port: 80 }],
  'user-db': [{ name: 'mongo', port: 27017 }],
};

/** Sock-shop as plain objects: Namespace, 15 Deployments, 14 Services, Gateway, VirtualService, DestinationRule. */
export function renderSockShop(opts: SockShopOptions = {}): KubernetesObject[] {
  const deployments = workloads(opts).map((w) => {
    const d = deployment(w);
    if (w.name === 'rabbitmq') d.spec!.template.spec!.containers.push(RABBITMQ_EXPORTER);
    return d;
  });
  const services = Object.entries(SERVICE_PORTS).map(([app, ports]) => service(NS, app, app, ports));
  // Deep copy: the builders share constant sub-objects, and a caller may edit what it gets.
  return structuredClone([namespace(NS), ...deployments, ...services, ...sockShopMesh()]);
}

/** Starting state of seed 003's traffic exercises: everything to v1, v2 wired in at weight 0. */
function sockShopMesh(): KubernetesObject[] {
  return [
    gateway(NS, 'sock-shop-gateway', ['*']),
    virtualService(NS, 'front-end', ['*'], ['sock-shop-gateway'], [
      { host: 'front-end', subset: 'v1', port: 80, weight: 100 },
      { host: 'front-end', subset: 'v2', port: 80, weight: 0 },
    ]),
    destinationRule(NS, 'front-end', 'front-end', ['v1', 'v2']),
  ];
}
