// One way the lab writes YAML: YAML 1.1 quoting (Go's YAML reads a plain `no`/`on` as a boolean)
// and no anchors/aliases, so every file reads like a hand-written manifest.
import { stringify } from 'yaml';

export function toYaml(obj: unknown): string {
  return stringify(obj, { aliasDuplicateObjects: false, version: '1.1' });
}

export function toYamlDocs(objs: unknown[]): string {
  return objs.map(toYaml).join('---\n');
}
