// `lab check split` as a user runs it, against a real nginx 80:20 / 70:30 split: exit codes and the
// JSON report's numbers.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { LAB_MJS, LAB_NODE, REPO } from '../helpers.ts';
import { freePorts, nginxSplitServer, nginxVersionServer, startNginx, type Peer } from './peers.ts';

let nginx: Peer | undefined;
let fe8020 = '';
let fe7030 = '';

test.before(async () => {
  const [v1, v2, a, b] = await freePorts(4);
  const w = (x: number, y: number) => [{ port: v1, weight: x }, { port: v2, weight: y }];
  nginx = await startNginx(
    [nginxVersionServer(v1, 'v1'), nginxVersionServer(v2, 'v2'), nginxSplitServer(a, 'a', w(80, 20), 'round-robin'), nginxSplitServer(b, 'b', w(70, 30), 'round-robin')].join('\n'),
    [v1, v2, a, b],
  );
  fe8020 = `http://127.0.0.1:${a}/`;
  fe7030 = `http://127.0.0.1:${b}/`;
});
test.after.always(async () => nginx?.stop());

function check(args: string[]) {
  const res = spawnSync(LAB_NODE, [LAB_MJS, 'check', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

test('80:20 passes with the default sample of 425 and a JSON report', (t) => {
  const r = check(['split', '--url', fe8020, '--expect', 'v1=80,v2=20', '--json']);
  t.is(r.code, 0, r.err);
  const rep = JSON.parse(r.out) as { status: string; sample: { n: number }; labels: Array<{ label: string; count: number }> };
  t.is(rep.status, 'pass');
  t.is(rep.sample.n, 425);
  t.is(rep.labels.find((l) => l.label === 'v1')!.count + rep.labels.find((l) => l.label === 'v2')!.count, 425);
});

test('70:30 against an 80:20 expectation fails with exit 1 and a bar chart', (t) => {
  const r = check(['split', '--url', fe7030, '--expect', 'v1=80,v2=20']);
  t.is(r.code, 1);
  t.regex(r.out, /v1\s+█+░*\s+70\.\d%/);
  t.regex(r.err, /ERROR: check split failed/);
});
