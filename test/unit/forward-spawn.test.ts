// The real spawner with a stand-in for kubectl (node running a few lines of script): lines pass
// through prefixed, "Handling connection" noise is dropped, a "pod is gone" line ends the process,
// a refused connection does not, a missing binary is an error, and a child that ignores SIGTERM
// is killed anyway.
import test from 'ava';
import type { ForwardExit } from '../../lab/forward-supervisor.ts';
import { kubectlSpawner, podGoneLine } from '../../lab/forward-spawn.ts';

const fakeKubectl = (script: string) => [process.execPath, '-e', script];

function run(script: string, opts: { killGraceMs?: number } = {}) {
  const lines: string[] = [];
  const child = kubectlSpawner((l) => lines.push(l), opts)(fakeKubectl(script), 'grafana');
  return { lines, child };
}

test('lines are prefixed with the target, per-connection noise dropped, the exit code reported', async (t) => {
  const { lines, child } = run(`
    console.log('Forwarding from 127.0.0.1:8000 -> 3000');
    console.log('Handling connection for 8000');
    console.error('E0101 something the user should see');
    process.exitCode = 3;`);
  const exit = await child.exited;
  t.deepEqual(exit, { code: 3, signal: null });
  t.deepEqual(lines.sort(), ['grafana: E0101 something the user should see', 'grafana: Forwarding from 127.0.0.1:8000 -> 3000']);
});

const GONE = 'E0101 12:00:00 portforward.go:404] an error occurred forwarding 8000 -> 3000: error forwarding port 3000 to pod 3bdb, uid : Error: No such container: 3bdb';
const REFUSED = 'E0101 12:00:00 portforward.go:404] an error occurred forwarding 8000 -> 3000: error forwarding port 3000 to pod 3bdb, uid : failed to execute portforward in network namespace: connection refused';

test('a "pod is gone" line ends the forward (so the supervisor reconnects); a refused connection does not', async (t) => {
  const gone = run(`console.error(${JSON.stringify(GONE)}); setTimeout(() => { process.exitCode = 7; }, 3000);`);
  const refused = run(`console.error(${JSON.stringify(REFUSED)}); setTimeout(() => { process.exitCode = 7; }, 300);`);
  const [g, r] = await Promise.all([gone.child.exited, refused.child.exited]);
  t.deepEqual(g, { code: null, signal: 'SIGTERM' } satisfies ForwardExit, 'killed on the gone line');
  t.deepEqual(r, { code: 7, signal: null }, 'left running on a refused connection');
  t.true(gone.lines.includes(`grafana: ${GONE}`), 'the line itself is shown');
});

test('podGoneLine: the messages kubectl prints when the pod behind the forward is gone', (t) => {
  t.true(podGoneLine('error: lost connection to pod'));
  t.true(podGoneLine(GONE));
  t.true(podGoneLine('an error occurred forwarding 8000 -> 3000: error forwarding port 3000 to pod abc, uid : failed to find sandbox "abc" in store: not found'));
  t.false(podGoneLine(REFUSED));
  t.false(podGoneLine('Forwarding from 127.0.0.1:8000 -> 3000'));
});

test('a kubectl that cannot be started is an error, not an exit code', async (t) => {
  const child = kubectlSpawner(() => {})(['/nonexistent/kubectl', 'port-forward'], 'grafana');
  const exit = await child.exited;
  t.regex(exit.error ?? '', /ENOENT/);
});

test('kill ends even a process that ignores SIGTERM (SIGKILL after the grace)', async (t) => {
  const { lines, child } = run(`process.on('SIGTERM', () => console.log('ignoring TERM')); console.log('up'); setInterval(() => {}, 1000);`, { killGraceMs: 300 });
  while (!lines.includes('grafana: up')) await new Promise((r) => setTimeout(r, 10));
  child.kill();
  t.deepEqual(await child.exited, { code: null, signal: 'SIGKILL' });
  t.true(lines.includes('grafana: ignoring TERM'), 'SIGTERM came first');
});
