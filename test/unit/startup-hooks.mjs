// Loaded with `node --import` by launcher.test.ts: reports every module the CLI resolves (packages,
// and the compiled CLI's own chunks), so a test can see what a command loads.
import { register } from 'node:module';

register(`data:text/javascript,${encodeURIComponent(`
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('node:')) writeSync(2, 'resolve ' + specifier + '\\n');
  return next(specifier, context);
}`)}`);
