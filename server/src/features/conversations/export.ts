// One conversation as a file: JSON (the API's own shape) or Markdown for reading and sharing. Both
// carry every version (docs/decisions/018): the branch shown first, then the others.
import type { ConversationRow } from './conversations.repository.js';
import { toConversationWithMessagesResponse, toMessageResponse, type ConversationWithMessages } from './conversations.schemas.js';
import { pathTo, versionsOf } from './message-tree.js';
import type { MessageRow } from './messages.repository.js';

export interface ExportFile {
  filename: string;
  contentType: string;
  body: string;
}

/** ASCII only, so the Content-Disposition header needs no encoding and no quoting tricks. */
function fileStem(c: ConversationRow): string {
  const slug = (c.title ?? '')
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 50)
    .replace(/-+$/, '');
  return `${slug || 'conversation'}-${c.id.slice(0, 8)}`;
}

const STATUS_NOTE: Record<string, string> = {
  stopped: '_(stopped before the end)_',
  failed: '_(the reply failed)_',
  streaming: '_(still being written)_',
};

function speaker(m: MessageRow): string {
  return m.role === 'user' ? 'You' : m.role === 'assistant' ? `Assistant${m.model ? ` (${m.model})` : ''}` : 'System';
}

function pushMessage(out: string[], heading: string, m: MessageRow, version: string) {
  out.push('', `${heading} ${speaker(m)}${version}`, '', m.content || '_(no text)_');
  const note = STATUS_NOTE[m.status];
  if (note) out.push('', note);
}

/**
 * The branch shown, then "Other versions": each other branch from where it leaves what is already
 * written, so every message appears once. A branch is named by the turn where it starts.
 */
export function renderMarkdown({ conversation: c, messages, all, tree }: ConversationWithMessages): string {
  const out = [`# ${c.title ?? 'Untitled conversation'}`, '', `Model: ${c.model} · Created: ${new Date(c.created_at).toISOString()}`];
  if (c.system_prompt) out.push('', '## System prompt', '', c.system_prompt);
  const versionNote = (m: MessageRow) => {
    const versions = versionsOf(tree, m);
    return versions.length > 1 ? ` · version ${versions.indexOf(m) + 1} of ${versions.length}` : '';
  };
  for (const m of messages) pushMessage(out, '##', m, versionNote(m));
  const written = new Set(messages.map((m) => m.id));
  const leaves = all.filter((m) => !tree.children.has(m.id) && !written.has(m.id));
  if (leaves.length > 0) out.push('', '## Other versions');
  for (const leaf of leaves) {
    const path = pathTo(tree, leaf);
    const start = path.findIndex((m) => !written.has(m.id));
    out.push('', `### From turn ${start + 1}`);
    for (const m of path.slice(start)) {
      pushMessage(out, '####', m, versionNote(m));
      written.add(m.id);
    }
  }
  return `${out.join('\n')}\n`;
}

export function exportConversation(read: ConversationWithMessages, format: 'json' | 'markdown', now: Date): ExportFile {
  const stem = fileStem(read.conversation);
  if (format === 'markdown') {
    return { filename: `${stem}.md`, contentType: 'text/markdown; charset=utf-8', body: renderMarkdown(read) };
  }
  const document = {
    ...toConversationWithMessagesResponse(read),
    // Every message on every branch, in the order written; parent_id links them into the tree.
    all_messages: read.all.map(toMessageResponse),
    exported_at: now.toISOString(),
  };
  return { filename: `${stem}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify(document, null, 2) };
}
