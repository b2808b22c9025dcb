// Key paths from an OpenAPI v3 schema (a CRD's), for charts that hand their values to an application
// as its configuration: kiali-server writes its values into Kiali's config file, whose fields are
// the Kiali CR's `spec` (kiali/kiali-operator crd-docs/crd/kiali.io_kialis.yaml). Pure.
import { parse } from 'yaml';
import type { KeyPath } from './key-paths.ts';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export interface SchemaKeys {
  known: KeyPath[];
  freeForm: KeyPath[];
}

/** Every property path; objects that accept any field (preserve-unknown, additionalProperties, or an
 * object with no listed properties) are free-form. */
export function schemaKeys(schema: Schema, prefix: KeyPath = []): SchemaKeys {
  const out: SchemaKeys = { known: [], freeForm: [] };
  const props = schema.properties ?? {};
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true || Boolean(schema.additionalProperties) || (schema.type === 'object' && !Object.keys(props).length);
  if (prefix.length) out.known.push(prefix);
  if (open && prefix.length) out.freeForm.push(prefix);
  for (const [k, s] of Object.entries(props)) {
    const sub = schemaKeys(s, [...prefix, k]);
    out.known.push(...sub.known);
    out.freeForm.push(...sub.freeForm);
  }
  return out;
}

/** The `spec` of the first version of a CRD document. */
export function crdSpecSchema(crdYaml: string): Schema {
  const crd = parse(crdYaml) as { spec?: { versions?: Array<{ schema?: { openAPIV3Schema?: Schema } }> } };
  const spec = crd.spec?.versions?.[0]?.schema?.openAPIV3Schema?.properties?.spec;
  if (!spec) throw new Error('no spec schema in this CustomResourceDefinition');
  return spec;
}
