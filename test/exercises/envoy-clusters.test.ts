// Envoy's /clusters page (fixtures/exercises/gateway-clusters.txt): the circuit-breaker thresholds
// tell whether every gateway pod already enforces the DestinationRule's connection pool.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { breakerThresholds, enforcesPool } from '../../lab/exercises/envoy-clusters.ts';
import { outboundCluster } from '../../lab/exercises/envoy-stats.ts';
import { REPO } from '../helpers.ts';

const TEXT = readFileSync(path.join(REPO, 'fixtures', 'exercises', 'gateway-clusters.txt'), 'utf8');
const HOST = 'front-end.sock-shop.svc.cluster.local';
const V1 = outboundCluster(80, 'v1', HOST);

test('default-priority thresholds of one cluster, not its high-priority ones nor its neighbours\'', (t) => {
  t.deepEqual(breakerThresholds(TEXT, V1), { maxConnections: 1, maxPendingRequests: 1, maxRequests: 4294967295, maxRetries: 4294967295 });
  t.deepEqual(breakerThresholds(TEXT, outboundCluster(80, 'v2', HOST)), { maxConnections: 4294967295, maxPendingRequests: 4294967295 });
  t.deepEqual(breakerThresholds(TEXT, outboundCluster(80, '', HOST)), { maxConnections: 4294967295, maxPendingRequests: 4294967295 });
  t.deepEqual(breakerThresholds(TEXT, 'outbound|80|v1|carts.sock-shop.svc.cluster.local'), {});
});

test('enforcesPool: every pod must show the limits; a lagging pod or no pod at all is not enforcing', (t) => {
  const lagging = `${V1}::default_priority::max_connections::4294967295\n${V1}::default_priority::max_pending_requests::4294967295\n`;
  t.true(enforcesPool([{ pod: 'a', text: TEXT }], V1, 1, 1).ok);
  const two = enforcesPool([{ pod: 'a', text: TEXT }, { pod: 'b', text: lagging }], V1, 1, 1);
  t.false(two.ok);
  t.deepEqual(two.byPod.b, { maxConnections: 4294967295, maxPendingRequests: 4294967295 });
  t.false(enforcesPool([], V1, 1, 1).ok);
});
