-- Messages form a tree (docs/decisions/018): regenerating adds a sibling reply under the same user
-- message, editing adds a sibling user message under the same parent. A message's parent is in the
-- same conversation (the service only ever picks one from there); a root has none.
ALTER TABLE messages ADD COLUMN parent_id uuid REFERENCES messages (id) ON DELETE CASCADE;
CREATE INDEX messages_parent_idx ON messages (parent_id);

-- Every existing conversation becomes one linear branch: each message's parent is the one before it.
UPDATE messages AS m SET parent_id = p.previous
  FROM (SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY seq) AS previous FROM messages) AS p
 WHERE m.id = p.id AND p.previous IS NOT NULL;

-- The branch shown: the path from the root to this message (and on down its newest children).
-- NULL means the newest message, which is also what a conversation without messages has.
ALTER TABLE conversations ADD COLUMN current_leaf_id uuid REFERENCES messages (id) ON DELETE SET NULL;
UPDATE conversations AS c SET current_leaf_id = (SELECT id FROM messages AS m WHERE m.conversation_id = c.id ORDER BY seq DESC LIMIT 1);
