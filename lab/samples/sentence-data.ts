// Starter data for eng_app's read-only data volume (PV `eng-app-data`, dir `eng_app_data` under
// LAB_DATA_DIR), so the db-init Job has sentences to load on a fresh lab. The user's own
// sentence_data.txt and voice files are never overwritten.
//
// Format (from the app's db/seeds.rb, the seed doesn't say): one sentence per line,
// `<no>::<Japanese>::<English>`; the app plays /voice/<no as 3 digits>.mp3 for each, served from
// voice/ on the same volume. voice/ starts empty: the sentences work, the audio buttons 404.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labVolumes } from '../steps/storage-objects.ts';

export const SENTENCE_FILE = 'sentence_data.txt';

/** Written for the lab: short everyday sentences with their Japanese meaning. */
export const SAMPLE_SENTENCES: [ja: string, en: string][] = [
  ['おはようございます。よく眠れましたか。', 'Good morning. Did you sleep well?'],
  ['駅までの道を教えていただけますか。', 'Could you tell me the way to the station?'],
  ['会議は十分遅れて始まります。', 'The meeting will start ten minutes late.'],
  ['この本はとても読みやすいです。', 'This book is very easy to read.'],
  ['週末は雨が降るそうです。', 'I hear it will rain this weekend.'],
  ['もう一度ゆっくり言っていただけますか。', 'Could you say that again more slowly?'],
  ['私は毎朝コーヒーを一杯飲みます。', 'I drink a cup of coffee every morning.'],
  ['その件については明日お返事します。', 'I will get back to you about that tomorrow.'],
  ['窓を開けてもいいですか。', 'Do you mind if I open the window?'],
  ['手伝ってくれてありがとう。', 'Thank you for helping me.'],
];

/** `1::…::…` lines, numbered from 1. */
export function sentenceFileText(sentences = SAMPLE_SENTENCES): string {
  return sentences.map(([ja, en], i) => `${i + 1}::${ja}::${en}\n`).join('');
}

/** Directory of the eng-app-data volume under `dataDir` (LAB_DATA_DIR). */
export function engAppDataDir(dataDir: string): string {
  const v = labVolumes().find((x) => x.name === 'eng-app-data');
  if (!v) throw new Error('storage-objects.ts has no eng-app-data volume');
  return path.join(dataDir, v.dir);
}

/**
 * Create `<dataDir>/eng_app_data/sentence_data.txt` and `voice/` when absent.
 * Returns the paths it created (empty when everything was already there).
 */
export function writeSampleData(dataDir: string): string[] {
  const dir = engAppDataDir(dataDir);
  const created: string[] = [];
  const voice = path.join(dir, 'voice');
  if (!existsSync(voice)) {
    mkdirSync(voice, { recursive: true });
    created.push(voice);
  }
  const file = path.join(dir, SENTENCE_FILE);
  try {
    // 'wx' fails if the file exists: a user's file is never replaced, even in a race.
    writeFileSync(file, sentenceFileText(), { flag: 'wx' });
    created.push(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return created;
}
