// The checkout the lab runs from (manifests/, tools/, the eng-app.env example). Run through tsx this
// is this file's parent directory; the compiled CLI (scripts/lab.mjs) runs from a build cache and
// says where the sources are.
import path from 'node:path';

export const PROJECT_ROOT = process.env.CLOUD_NATIVE_LAB_SOURCES || path.resolve(import.meta.dirname, '..');
