import { Document, isMap, isScalar, parseDocument, visit, YAMLMap, type Pair } from 'yaml';

/**
 * The mapping of a user-data that is one plain cloud-config document and nothing else (no
 * script, MIME, jinja template or include): the one kind of user-data that can share a
 * boot, because cloud-init reads the union of two such mappings exactly as it reads each.
 * Aliases are left out too: an anchor's name is only unique within its own document.
 */
export function plainCloudConfig(userData: string): YAMLMap<unknown, unknown> | undefined {
  if (!/^#cloud-config[ \t]*\r?\n/.test(userData)) return undefined;
  // YAML 1.1, as cloud-init's PyYAML reads it, so that `0644` is written back as `0644`.
  const doc = parseDocument(userData, { version: '1.1', uniqueKeys: true });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  let aliased = false;
  visit(doc, {
    Alias: () => {
      aliased = true;
      return visit.BREAK;
    },
  });
  return aliased ? undefined : doc.contents;
}

export function topLevelKeys(config: YAMLMap<unknown, unknown>): string[] {
  return config.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
}

/** One cloud-config with every top-level key of each; the caller has made sure no key is in two. */
export function mergeCloudConfigs(configs: readonly YAMLMap<unknown, unknown>[]): string {
  const merged = new Document(new YAMLMap(), { version: '1.1' });
  const map = merged.contents as YAMLMap<unknown, unknown>;
  for (const config of configs) for (const pair of config.items) map.items.push(pair.clone() as Pair<unknown, unknown>);
  return `#cloud-config\n${merged.toString()}`;
}
