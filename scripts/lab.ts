#!/usr/bin/env -S node --import tsx
// The CLI from its TypeScript sources (`npx tsx scripts/lab.ts <command>`). `npm run lab` and the
// make targets use scripts/lab.mjs, which runs the same code compiled.
import { main, onInterrupt } from './main.ts';

process.once('SIGINT', onInterrupt);
process.exitCode = await main(process.argv.slice(2));
