#!/usr/bin/env -S node --import tsx
// Entry point: `npm run lab -- <command>` or `npx tsx scripts/lab.ts <command>`.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
