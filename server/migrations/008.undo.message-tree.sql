-- Back to one linear list per conversation: only the branch shown stays (the versions off it are
-- deleted, as decision 004 had it), then the tree's columns go.
WITH RECURSIVE shown AS (
  SELECT m.id, m.parent_id FROM conversations AS c
    JOIN messages AS m ON m.id = COALESCE(c.current_leaf_id, (SELECT id FROM messages WHERE conversation_id = c.id ORDER BY seq DESC LIMIT 1))
  UNION ALL
  SELECT m.id, m.parent_id FROM messages AS m JOIN shown AS s ON m.id = s.parent_id
)
DELETE FROM messages WHERE id NOT IN (SELECT id FROM shown);
ALTER TABLE conversations DROP COLUMN current_leaf_id;
ALTER TABLE messages DROP COLUMN parent_id;
