#!/usr/bin/env -S node --import tsx
// Entry point: `npm run lab -- <command>` or `npx tsx scripts/lab.ts <command>`.
import { main } from './main.ts';

// Ctrl-C: say how to resume, then let the default handler end the process (and its tools, which
// share the terminal's process group). `up` is a reconcile, so re-running it converges.
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted. Nothing is lost: run the same command again to continue from where it stopped.\n');
  process.kill(process.pid, 'SIGINT');
});

process.exitCode = await main(process.argv.slice(2));
