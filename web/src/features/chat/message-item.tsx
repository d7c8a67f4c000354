// One message. User text is shown as typed (React escapes it); assistant text as safe markdown.
// A message with other versions (regenerated, edited) shows "2/3" with arrows to switch.
// Memoised: while a reply streams, only the streaming message re-renders.
import { memo, useEffect, useRef, useState } from 'react';
import { Icon } from '../../components/icon';
import { formatInt } from '../../lib/format';
import { messageText, type ChatUIMessage } from './chat-transport';
import { MessageMarkdown } from './markdown';

interface MessageItemProps {
  message: ChatUIMessage;
  streaming: boolean;
  busy: boolean;
  canRegenerate: boolean;
  onRegenerate: (messageId: string) => void;
  onEdit: (messageId: string, text: string) => void;
  onShowVersion: (messageId: string) => void;
}

export const MessageItem = memo(function MessageItem({ message, streaming, busy, canRegenerate, onRegenerate, onEdit, onShowVersion }: MessageItemProps) {
  const text = messageText(message);
  const meta = message.metadata;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text);
  // Leaving the editor puts the focus back on its Edit button (cancelled) or the message box (sent).
  const editButton = useRef<HTMLButtonElement>(null);
  const focusAfterEdit = useRef<'edit' | 'composer' | null>(null);
  useEffect(() => {
    if (editing || !focusAfterEdit.current) return;
    if (focusAfterEdit.current === 'edit') editButton.current?.focus();
    else document.getElementById('composer-input')?.focus();
    focusAfterEdit.current = null;
  }, [editing]);
  const closeEditor = (focus: 'edit' | 'composer') => {
    focusAfterEdit.current = focus;
    setEditing(false);
  };

  if (message.role === 'user') {
    return (
      <article className="message user" aria-label="You said">
        {editing ? (
          <form
            className="edit-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!draft.trim()) return;
              closeEditor('composer');
              onEdit(message.id, draft);
            }}
            onKeyDown={(e) => {
              if (e.key !== 'Escape' || e.shiftKey) return;
              e.preventDefault(); // Escape here leaves the editor and nothing else
              closeEditor('edit');
            }}
          >
            <label className="visually-hidden" htmlFor={`edit-${message.id}`}>
              Edit your message
            </label>
            <textarea
              id={`edit-${message.id}`}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              rows={Math.min(10, draft.split('\n').length + 1)}
              autoFocus
            />
            <div className="row end">
              <button type="button" className="button small" onClick={() => closeEditor('edit')}>
                Cancel
              </button>
              <button type="submit" className="button primary small" disabled={busy || !draft.trim()}>
                Save and send
              </button>
            </div>
          </form>
        ) : (
          <>
            <div className="bubble">{text}</div>
            <div className="message-actions">
              <VersionSwitcher message={message} what="message" busy={busy} onShow={onShowVersion} />
              <button
                ref={editButton}
                type="button"
                className="button ghost small"
                disabled={busy}
                onClick={() => {
                  setDraft(text);
                  setEditing(true);
                }}
                aria-label="Edit and resend this message"
              >
                <Icon name="pencil" size={14} /> <span aria-hidden="true">Edit</span>
              </button>
            </div>
          </>
        )}
      </article>
    );
  }

  const status = streaming ? 'streaming' : meta?.status;
  return (
    <article className="message assistant" aria-label="Assistant replied" aria-busy={streaming || undefined}>
      <div className="markdown">
        {text ? <MessageMarkdown text={text} streaming={streaming} /> : streaming ? <span className="typing" aria-label="Writing" /> : null}
      </div>
      {status === 'stopped' ? <p className="message-status">Stopped</p> : null}
      {status === 'failed' ? <p className="message-status failed">The reply failed{meta?.error ? `: ${meta.error}` : '.'}</p> : null}
      {!streaming ? (
        <div className="message-actions">
          <VersionSwitcher message={message} what="reply" busy={busy} onShow={onShowVersion} />
          {meta?.model ? <span className="meta">{meta.model}</span> : null}
          {meta?.usage ? <span className="meta">{formatInt(meta.usage.total_tokens)} tokens</span> : null}
          <CopyButton text={text} />
          {canRegenerate ? (
            <button type="button" className="button ghost small" disabled={busy} onClick={() => onRegenerate(message.id)} aria-label="Regenerate this reply">
              <Icon name="refresh" size={14} /> <span aria-hidden="true">Regenerate</span>
            </button>
          ) : null}
        </div>
      ) : null}
    </article>
  );
});

/** "‹ 2/3 ›": which version of this message is shown, and the way to the others. */
function VersionSwitcher({ message, what, busy, onShow }: { message: ChatUIMessage; what: string; busy: boolean; onShow: (id: string) => void }) {
  const versions = message.metadata?.versions ?? [];
  const index = versions.indexOf(message.id);
  if (versions.length < 2 || index < 0) return null;
  const go = (to: number) => onShow(versions[to]!);
  return (
    <span className="versions" role="group" aria-label={`Version ${index + 1} of ${versions.length} of this ${what}`}>
      <button
        type="button"
        className="button ghost small icon"
        disabled={busy || index === 0}
        onClick={() => go(index - 1)}
        aria-label={`Previous version of this ${what}`}
      >
        <Icon name="chevron-left" size={14} />
      </button>
      <span className="meta version-count" aria-hidden="true">
        {index + 1}/{versions.length}
      </span>
      <button
        type="button"
        className="button ghost small icon"
        disabled={busy || index === versions.length - 1}
        onClick={() => go(index + 1)}
        aria-label={`Next version of this ${what}`}
      >
        <Icon name="chevron-right" size={14} />
      </button>
    </span>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  if (!text) return null;
  return (
    <button
      type="button"
      className="button ghost small"
      aria-label={copied ? 'Copied' : 'Copy reply'}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          window.setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      <Icon name={copied ? 'check' : 'copy'} size={14} /> <span aria-hidden="true">{copied ? 'Copied' : 'Copy'}</span>
    </button>
  );
}
