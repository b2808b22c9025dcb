// Envoy's plain-text stats as `pilot-agent request GET stats` prints them: cluster names with
// pipes and dots, histograms and Istio's tag-encoded names mixed in (fixtures/exercises/gateway-stats.txt).
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterStat, counterIncrease, outboundCluster, parseEnvoyStats, readCounter } from '../../lab/exercises/envoy-stats.ts';
import { REPO } from '../helpers.ts';

const TEXT = readFileSync(path.join(REPO, 'fixtures', 'exercises', 'gateway-stats.txt'), 'utf8');
const HOST = 'front-end.sock-shop.svc.cluster.local';
const V1 = outboundCluster(80, 'v1', HOST);

test('every integer stat is parsed, histograms and "No recorded values" are left out', (t) => {
  const stats = parseEnvoyStats(TEXT);
  t.is(stats.size, 13);
  t.is(stats.get('server.uptime'), 5034);
  t.is(stats.get('reporter=.=destination;.;source_workload=.=istio-ingressgateway;.;istio_requests_total'), 1204);
  t.false(stats.has('cluster.xds-grpc.upstream_cx_connect_ms'));
  t.false(stats.has('listener_manager.lds.update_time'));
});

test('a subset cluster is found by its exact Istio name, not confused with its neighbours', (t) => {
  const stats = parseEnvoyStats(TEXT);
  t.is(V1, 'outbound|80|v1|front-end.sock-shop.svc.cluster.local');
  t.is(clusterStat(stats, V1, 'upstream_rq_pending_overflow'), 57);
  t.is(clusterStat(stats, outboundCluster(80, 'v2', HOST), 'upstream_rq_pending_overflow'), 0);
  t.is(clusterStat(stats, outboundCluster(80, '', HOST), 'upstream_rq_pending_overflow'), 3, 'the subset-less cluster is its own');
  t.is(clusterStat(stats, V1, 'upstream_rq_total'), undefined, 'not emitted (Istio stats inclusion) is undefined, not 0');
});

test('CRLF line endings and surrounding blanks do not matter', (t) => {
  t.deepEqual([...parseEnvoyStats('a.b: 1\r\n  c|d.e: 22  \r\n\r\n')], [['a.b', 1], ['c|d.e', 22]]);
});

test('readCounter sums the pods that emit it; a pod that does not is null; none → null', (t) => {
  const pods = [
    { pod: 'gw-a', text: TEXT },
    { pod: 'gw-b', text: `cluster.${V1}.upstream_rq_pending_overflow: 5\n` },
    { pod: 'gw-c', text: 'server.live: 1\n' },
  ];
  t.deepEqual(readCounter(pods, V1, 'upstream_rq_pending_overflow'), { total: 62, byPod: { 'gw-a': 57, 'gw-b': 5, 'gw-c': null } });
  t.deepEqual(readCounter([{ pod: 'gw-c', text: 'server.live: 1' }], V1, 'upstream_rq_pending_overflow'), { total: null, byPod: { 'gw-c': null } });
});

test('counterIncrease: per pod, only pods read both times, never negative', (t) => {
  const before = { total: 15, byPod: { a: 10, b: 5, gone: 100 } };
  const after = { total: 60, byPod: { a: 40, b: 3, fresh: 7 } };
  t.is(counterIncrease(before, after), 30, 'a +30; b reset (restarted) counts 0; fresh and gone are not comparable');
  t.is(counterIncrease({ total: null, byPod: { a: null } }, { total: 3, byPod: { a: 3 } }), null);
});
