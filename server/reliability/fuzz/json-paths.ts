// Paths into a JSON value, and copies of it with one place changed or removed: what the field
// mutations use to break one member of an otherwise valid body.
export type JsonPath = Array<string | number>;

/** Every member and item, at most `maxDepth` deep, parents before children. */
export function pathsOf(value: unknown, maxDepth = 4, at: JsonPath = []): JsonPath[] {
  if (at.length >= maxDepth || value === null || typeof value !== 'object') return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, maxDepth, [...at, key])]);
}

function parentOf(root: unknown, path: JsonPath): Record<string | number, unknown> | undefined {
  let node = root as Record<string | number, unknown> | undefined;
  for (const key of path.slice(0, -1)) node = node?.[key] as Record<string | number, unknown> | undefined;
  return node && typeof node === 'object' ? node : undefined;
}

/** A copy of `root` with the value at `path` replaced (the root itself for an empty path). */
export function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (!path.length) return value;
  const copy = structuredClone(root);
  const parent = parentOf(copy, path);
  if (parent) parent[path.at(-1)!] = value;
  return copy;
}

/** A copy of `root` without the member at `path` (an item is spliced out). */
export function deleteAt(root: unknown, path: JsonPath): unknown {
  if (!path.length) return undefined;
  const copy = structuredClone(root);
  const parent = parentOf(copy, path);
  const key = path.at(-1)!;
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (parent) delete parent[key];
  return copy;
}

export function valueAt(root: unknown, path: JsonPath): unknown {
  return path.length ? parentOf(root, path)?.[path.at(-1)!] : root;
}
