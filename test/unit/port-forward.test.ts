// `lab pf`: every forward binds 127.0.0.1 only and goes through the lab's kubeconfig and context.
import test from 'ava';
import { FORWARD_TARGETS, forwardArgv } from '../../lab/port-forward.ts';
import { testConfig, testContext } from '../helpers.ts';

test('every forward listens on 127.0.0.1 only, with the lab context', (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube', LAB_HTTP_PORT: '9080' });
  const { ctx } = testContext(cfg);
  for (const target of FORWARD_TARGETS) {
    const argv = forwardArgv(ctx, target);
    t.deepEqual(argv.slice(1, 5), ['--kubeconfig', cfg.kubeconfig, '--context', 'lab']);
    t.deepEqual(argv.slice(5, 8), ['port-forward', '--address', '127.0.0.1']);
  }
  t.deepEqual(forwardArgv(ctx, FORWARD_TARGETS[0]).slice(-3), ['istio-system', 'svc/istio-ingressgateway', '9080:80']);
});
