// Starter data for eng_app's data volume: written once, in the app's format, never over user data.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readEngAppEnv } from '../../lab/samples/eng-app-secret.ts';
import { SAMPLE_SENTENCES, writeSampleData } from '../../lab/samples/sentence-data.ts';
import { REPO, tempDir } from '../helpers.ts';

test('fresh data dir: sentence_data.txt and an empty voice/ under eng_app_data', (t) => {
  const dir = tempDir();
  const created = writeSampleData(dir);
  const data = path.join(dir, 'eng_app_data');
  t.deepEqual(created.sort(), [path.join(data, 'sentence_data.txt'), path.join(data, 'voice')].sort());
  t.true(statSync(path.join(data, 'voice')).isDirectory());
  t.deepEqual(readdirSync(path.join(data, 'voice')), []);
});

test('format: `<no>::<Japanese>::<English>` per line, numbered from 1, as db/seeds.rb splits it', (t) => {
  const dir = tempDir();
  writeSampleData(dir);
  const lines = readFileSync(path.join(dir, 'eng_app_data', 'sentence_data.txt'), 'utf8').trimEnd().split('\n');
  t.is(lines.length, SAMPLE_SENTENCES.length);
  t.true(lines.length >= 10);
  lines.forEach((line, i) => {
    const [no, ja, en, ...rest] = line.split('::');
    t.is(Number(no), i + 1);
    t.regex(ja, /[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese text');
    t.regex(en, /^[A-Z][\w ,'?.!-]+[.?!]$/, 'an English sentence');
    t.deepEqual(rest, [], 'no stray separators');
  });
});

test('never overwrites the user\'s files, and a second run creates nothing', (t) => {
  const dir = tempDir();
  const data = path.join(dir, 'eng_app_data');
  mkdirSync(data, { recursive: true });
  writeFileSync(path.join(data, 'sentence_data.txt'), '1::mine::Mine.\n');
  t.deepEqual(writeSampleData(dir), [path.join(data, 'voice')]);
  t.is(readFileSync(path.join(data, 'sentence_data.txt'), 'utf8'), '1::mine::Mine.\n');
  t.deepEqual(writeSampleData(dir), []);
  t.true(existsSync(path.join(data, 'voice')));
});

test('the example env points the app where the volume puts the file', (t) => {
  const values = readEngAppEnv(path.join(REPO, 'manifests', 'eng-app', 'eng-app.env.example'));
  // The PV eng-app-data exports LAB_DATA_DIR/eng_app_data; the app mounts it at /mnt.
  t.is(values.SENTENCE_FILE_PATH, '/mnt/sentence_data.txt');
});
