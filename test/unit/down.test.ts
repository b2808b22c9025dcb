// `lab down` keeps LAB_DATA_DIR; `--purge` removes it only after a yes; a refusal deletes nothing.
import test from 'ava';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runDown } from '../../lab/down.ts';
import { recordCreated } from '../../lab/ownership.ts';
import { LabError, UsageError } from '../../lab/errors.ts';
import { testConfig, testContext, tempDir } from '../helpers.ts';

/** A kind lab this project created (its local record), whose API is not reachable from the test. */
function setup(flags: { yes?: boolean } = {}, created = true) {
  const root = tempDir();
  const cfg = testConfig({}, root);
  if (created) recordCreated(cfg);
  mkdirSync(path.join(cfg.dataDir, 'eng_app'), { recursive: true });
  writeFileSync(path.join(cfg.dataDir, 'eng_app', 'ibdata1'), 'mysql data');
  const { ctx, runner, lines } = testContext(cfg, flags);
  runner.on((c) => c.args.join(' ') === 'get clusters', { stdout: 'lab\n' });
  const deletes = () => runner.calls.filter((c) => c.args[0] === 'delete').map((c) => [c.cmd.split('/').pop(), ...c.args]);
  return { cfg, ctx, deletes, lines };
}

test('down deletes the cluster and keeps the data', async (t) => {
  const { cfg, ctx, deletes, lines } = setup();
  await runDown(ctx, { purge: false });
  t.deepEqual(deletes(), [['kind', 'delete', 'cluster', '--name', 'lab', '--kubeconfig', cfg.kubeconfig]]);
  t.true(existsSync(path.join(cfg.dataDir, 'eng_app', 'ibdata1')));
  t.true(lines.some((l) => l.includes(`Kept your data in ${cfg.dataDir}`)));
  t.true(lines.some((l) => /does not answer .*; deleting it because the lab recorded creating it on/.test(l)), 'says why it deletes a cluster it cannot reach');
  t.false(existsSync(path.join(cfg.stateDir, 'clusters', 'kind-lab.json')), 'the record goes with the cluster');
});

test('down refuses a same-named cluster nothing says the lab created, and deletes nothing', async (t) => {
  const { cfg, ctx, deletes } = setup({ yes: true }, false);
  const err = await t.throwsAsync(runDown(ctx, { purge: true }), { instanceOf: LabError });
  t.regex(err!.message, /^refusing to delete kind cluster lab: the lab did not create it \(its API server does not answer/);
  t.regex((err as LabError).detail!, /Nothing was deleted\. If it is yours to throw away, delete it yourself: kind delete cluster --name lab/);
  t.deepEqual(deletes(), []);
  t.true(existsSync(path.join(cfg.dataDir, 'eng_app', 'ibdata1')), 'not even --purge touched the data');
});

test('down --purge --yes deletes the cluster and the data', async (t) => {
  const { cfg, ctx, deletes } = setup({ yes: true });
  await runDown(ctx, { purge: true });
  t.is(deletes().length, 1);
  t.false(existsSync(cfg.dataDir));
});

test('down --purge asks; "no" deletes nothing at all', async (t) => {
  const { cfg, ctx, deletes } = setup();
  let asked = '';
  const err = await t.throwsAsync(runDown(ctx, { purge: true, confirm: async (q) => ((asked = q), false) }), { instanceOf: UsageError });
  t.regex(asked, new RegExp(`Delete ${cfg.dataDir} and everything in it\\?`));
  t.regex(err!.message, /purge cancelled; nothing was deleted/);
  t.deepEqual(deletes(), [], 'the cluster is still there too');
  t.true(existsSync(cfg.dataDir));
});

test('down --purge answered yes removes the data', async (t) => {
  const { cfg, ctx } = setup();
  await runDown(ctx, { purge: true, confirm: async () => true });
  t.false(existsSync(cfg.dataDir));
});

test('--purge refuses a data dir that holds the project', async (t) => {
  const root = tempDir();
  const cfg = testConfig({ LAB_DATA_DIR: path.dirname(root) }, root);
  const { ctx, runner } = testContext(cfg, { yes: true });
  await t.throwsAsync(runDown(ctx, { purge: true }), { message: /refusing --purge/ });
  t.deepEqual(runner.calls, []);
});

test('down on a cluster that is not there says so and still keeps data', async (t) => {
  const root = tempDir();
  const cfg = testConfig({}, root);
  const { ctx, runner, lines } = testContext(cfg);
  runner.on((c) => c.args.join(' ') === 'get clusters', { stdout: 'other\n' });
  await runDown(ctx, { purge: false });
  t.true(lines.some((l) => l.includes('does not exist; nothing to delete')));
  t.false(runner.calls.some((c) => c.args[0] === 'delete'));
});

test('down --purge after the cluster is gone and its CLI was never installed: the data still goes', async (t) => {
  const root = tempDir();
  const cfg = testConfig({}, root);
  mkdirSync(path.join(cfg.dataDir, 'eng_app'), { recursive: true });
  const { ctx, runner, lines } = testContext(cfg, { yes: true });
  runner.on((c) => c.args.join(' ') === 'get clusters', { exitCode: 127, stderr: 'kind: command not found' });
  await runDown(ctx, { purge: true });
  t.true(lines.some((l) => l === 'kind is not installed, so there is no kind cluster to delete'));
  t.false(existsSync(cfg.dataDir));
});
