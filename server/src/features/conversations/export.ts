// One conversation as a file: JSON (the API's own shape) or Markdown for reading and sharing.
import type { ConversationRow } from './conversations.repository.js';
import { toConversationResponse, toMessageResponse } from './conversations.schemas.js';
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

export function renderMarkdown(c: ConversationRow, messages: MessageRow[]): string {
  const out = [`# ${c.title ?? 'Untitled conversation'}`, '', `Model: ${c.model} · Created: ${new Date(c.created_at).toISOString()}`];
  if (c.system_prompt) out.push('', '## System prompt', '', c.system_prompt);
  for (const m of messages) {
    const who = m.role === 'user' ? 'You' : m.role === 'assistant' ? `Assistant${m.model ? ` (${m.model})` : ''}` : 'System';
    out.push('', `## ${who}`, '', m.content || '_(no text)_');
    const note = STATUS_NOTE[m.status];
    if (note) out.push('', note);
  }
  return `${out.join('\n')}\n`;
}

export function exportConversation(c: ConversationRow, messages: MessageRow[], format: 'json' | 'markdown', now: Date): ExportFile {
  if (format === 'markdown') {
    return { filename: `${fileStem(c)}.md`, contentType: 'text/markdown; charset=utf-8', body: renderMarkdown(c, messages) };
  }
  const document = { ...toConversationResponse(c), messages: messages.map(toMessageResponse), exported_at: now.toISOString() };
  return { filename: `${fileStem(c)}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify(document, null, 2) };
}
