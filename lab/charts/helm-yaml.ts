// YAML from charts (a chart's crds/ files, `helm template` / `helm get manifest` output), read as
// helm and the API server's clients read it. The `yaml` package the rest of the lab uses follows the
// YAML 1.2 spec to the letter and refuses what Go's parsers accept: Flagger 1.44's CRDs (written by
// controller-gen) continue multi-line 'quoted' descriptions at their key's own indentation, which
// `yaml` reports as "Missing closing 'quote" and turns into broken objects. js-yaml, like Go's
// gopkg.in/yaml, accepts those lines. Pure.
import jsYaml from 'js-yaml';
import { UsageError } from '../errors.ts';

export interface ChartObject {
  apiVersion?: string;
  kind?: string;
  [k: string]: unknown;
}

/** Every non-empty document of `text` (a stream separated by ---); `where` names it in errors. */
export function parseChartYaml(text: string, where: string): ChartObject[] {
  let docs: unknown[];
  try {
    docs = jsYaml.loadAll(text);
  } catch (err) {
    throw new UsageError(`${where} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return docs.filter((d): d is ChartObject => Boolean(d) && typeof d === 'object' && !Array.isArray(d));
}
