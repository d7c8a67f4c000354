// A conversation's messages as a tree (docs/decisions/018): each message has a parent (none for
// the first), and the messages with one parent are versions of one another, oldest first. The
// branch shown is the path from the root to the conversation's current leaf, continued down the
// newest child if that leaf has children. Pure functions over the messages in insertion order.

export interface TreeNode {
  id: string;
  parent_id: string | null;
}

export interface Tree<T extends TreeNode> {
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
  return { byId, children };
}

/** The message itself and its alternatives (the children of its parent), oldest first. */
export function versionsOf<T extends TreeNode>(tree: Tree<T>, m: T): T[] {
  return tree.children.get(m.parent_id ?? '') ?? [m];
}

/** The leaf reached from a message by always taking the newest child. */
export function newestLeafUnder<T extends TreeNode>(tree: Tree<T>, m: T): T {
  let at = m;
  for (let next = tree.children.get(at.id)?.at(-1); next; next = tree.children.get(at.id)?.at(-1)) at = next;
  return at;
}

/** The messages from the root to `m`, `m` included. */
export function pathTo<T extends TreeNode>(tree: Tree<T>, m: T): T[] {
  const path: T[] = [];
  for (let at: T | undefined = m; at; at = at.parent_id ? tree.byId.get(at.parent_id) : undefined) path.push(at);
  return path.reverse();
}

/**
 * The branch shown: root to the current leaf, on down its newest children. A missing or unknown
 * leaf means the newest message (all of a conversation's messages before trees were one branch).
 */
export function shownBranch<T extends TreeNode>(tree: Tree<T>, messages: readonly T[], currentLeafId: string | null): T[] {
  const leaf = (currentLeafId ? tree.byId.get(currentLeafId) : undefined) ?? messages.at(-1);
  return leaf ? pathTo(tree, newestLeafUnder(tree, leaf)) : [];
}
