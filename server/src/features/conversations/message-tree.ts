// A conversation's messages as a tree (docs/decisions/018): each message has a parent (none for
// the first), and the messages with one parent are versions of one another, oldest first. The
// branch shown is the path from the root to the conversation's current leaf, continued down to the
// message written last below it if that leaf has children. Pure functions over the messages in
// insertion order.

export interface TreeNode {
  id: string;
  parent_id: string | null;
}

export interface Tree<T extends TreeNode> {
  /** In insertion order: a parent comes before its children. */
  messages: readonly T[];
  byId: Map<string, T>;
  /** Children of each parent id ('' for the roots), oldest first. */
  children: Map<string, T[]>;
}

export function buildTree<T extends TreeNode>(messages: readonly T[]): Tree<T> {
  const byId = new Map<string, T>();
  const children = new Map<string, T[]>();
  for (const m of messages) {
    byId.set(m.id, m);
    const key = m.parent_id ?? '';
    const list = children.get(key);
    if (list) list.push(m);
    else children.set(key, [m]);
  }
  return { messages, byId, children };
}

/** The message itself and its alternatives (the children of its parent), oldest first. */
export function versionsOf<T extends TreeNode>(tree: Tree<T>, m: T): T[] {
  return tree.children.get(m.parent_id ?? '') ?? [m];
}

/**
 * Where a branch through `m` ends: the message written last among `m` and its descendants (a leaf,
 * since children come after their parents). Going back to an older version thus shows what was last
 * written after it, not only its first continuation.
 */
export function newestLeafUnder<T extends TreeNode>(tree: Tree<T>, m: T): T {
  for (let i = tree.messages.length - 1; i >= 0; i--) {
    const candidate = tree.messages[i]!;
    if (candidate === m) return m;
    for (let at: T | undefined = candidate; at?.parent_id; at = tree.byId.get(at.parent_id)) {
      if (at.parent_id === m.id) return candidate;
    }
  }
  return m;
}

/** The messages from the root to `m`, `m` included. */
export function pathTo<T extends TreeNode>(tree: Tree<T>, m: T): T[] {
  const path: T[] = [];
  for (let at: T | undefined = m; at; at = at.parent_id ? tree.byId.get(at.parent_id) : undefined) path.push(at);
  return path.reverse();
}

/**
 * The branch shown: root to the current leaf, on down to what was written last below it. A missing
 * or unknown leaf means the newest message (before trees, all of a conversation was one branch).
 */
export function shownBranch<T extends TreeNode>(tree: Tree<T>, currentLeafId: string | null): T[] {
  const leaf = (currentLeafId ? tree.byId.get(currentLeafId) : undefined) ?? tree.messages.at(-1);
  return leaf ? pathTo(tree, newestLeafUnder(tree, leaf)) : [];
}
