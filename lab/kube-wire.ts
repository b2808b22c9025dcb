// client-node serializes typed kinds through its generated models, which know fields by their
// TypeScript names: a plain object with a wire name that differs (CRD schemas'
// `x-kubernetes-int-or-string`, `$ref`, …) would silently lose the field. Objects read from YAML
// are turned into the models' form first, so serializing them gives back exactly the wire form.
// (These two helpers are not re-exported by the package index, hence the deep imports.)
import type { KubernetesObject } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { getSerializationType } from '@kubernetes/client-node/dist/util.js';

export function toClientForm<T extends KubernetesObject>(obj: T): T {
  const type = getSerializationType(obj.apiVersion, obj.kind);
  return ObjectSerializer.deserialize(obj, type) as T;
}
