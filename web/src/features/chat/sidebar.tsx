// The conversation list: new, search, and per row one actions menu (rename, pin, archive, export,
// delete after a confirmation); a view of the archived ones; more pages loaded as the end of the
// list scrolls into view (a "Load more" button does the same from the keyboard).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorNote } from '../../components/error-note';
import { Icon } from '../../components/icon';
import { useSessionStore } from '../../lib/app-context';
import { Link, navigate } from '../../lib/router';
import type { Conversation } from '../../lib/types';
import { useDebounced } from '../../lib/use-debounced';
import { useArchiveConversation, useConversations, useDeleteConversation, usePinConversation, useRenameConversation } from './chat-api';
import { exportConversation, type ExportFormat } from './chat-helpers';
import { ConversationMenu, type MenuAction } from './conversation-menu';

const menuButtonId = (conversationId: string) => `conversation-actions-${conversationId}`;

interface SidebarProps {
  activeId: string | null;
  open: boolean;
  onClose: () => void;
  onRenamed: (id: string, title: string) => void;
}

export function Sidebar({ activeId, open, onClose, onRenamed }: SidebarProps) {
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const [showArchived, setShowArchived] = useState(false);
  const list = useConversations(q, showArchived);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const sentinel = useRef<HTMLLIElement>(null);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const rename = useRenameConversation();
  const pin = usePinConversation();
  const archive = useArchiveConversation();
  const remove = useDeleteConversation();
  const session = useSessionStore();

  /** Runs a change; a refusal is shown in the server's words. True when it was made. */
  async function change(action: () => Promise<unknown>): Promise<boolean> {
    setActionError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setActionError(err);
      return false;
    }
  }

  // After a rename or a dialog the focus goes back where the person was: the row's actions button,
  // or after a deletion the row that took its place (or the search box when the list is empty).
  const aside = useRef<HTMLElement>(null);
  const [refocus, setRefocus] = useState<{ id: string } | { index: number } | null>(null);
  useEffect(() => {
    if (!refocus || !aside.current) return;
    if ('id' in refocus) document.getElementById(menuButtonId(refocus.id))?.focus();
    else {
      const links = aside.current.querySelectorAll<HTMLElement>('.conversation-link');
      (links[Math.min(refocus.index, links.length - 1)] ?? aside.current.querySelector<HTMLElement>('#conversation-search'))?.focus();
    }
    setRefocus(null);
  }, [refocus, items.length]);

  const exportAs = (c: Conversation, format: ExportFormat) => () =>
    void change(() => exportConversation(session, c.id, format)).then(() => setRefocus({ id: c.id }));
  const actionsOf = (c: Conversation): MenuAction[] => [
    { label: 'Rename', onSelect: () => setEditing(c.id) },
    {
      label: c.pinned ? 'Unpin' : 'Pin',
      onSelect: () => void change(() => pin.mutateAsync({ id: c.id, pinned: !c.pinned })).then(() => setRefocus({ id: c.id })),
    },
    {
      label: c.archived ? 'Unarchive' : 'Archive',
      // The row leaves this list: the focus goes to the one that takes its place.
      onSelect: () => void change(() => archive.mutateAsync({ id: c.id, archived: !c.archived })).then(() => setRefocus({ index: items.indexOf(c) })),
    },
    { label: 'Export as Markdown', onSelect: exportAs(c, 'markdown') },
    { label: 'Export as JSON', onSelect: exportAs(c, 'json') },
    { label: 'Delete…', danger: true, onSelect: () => setDeleting(c) },
  ];

  return (
    <>
      <aside
        ref={aside}
        className={open ? 'sidebar open' : 'sidebar'}
        aria-label="Conversations"
        onKeyDown={(e) => {
          if (e.key === 'Escape' && open && !editing) onClose();
        }}
      >
        <div className="sidebar-head">
          <Link to="/" className="button primary wide" onClick={onClose}>
            <Icon name="plus" /> New chat
          </Link>
          <button type="button" className="button ghost small icon sidebar-close" onClick={onClose} aria-label="Hide conversations">
            <Icon name="close" />
          </button>
        </div>
        <div className="search">
          <label htmlFor="conversation-search" className="visually-hidden">
            Search conversations
          </label>
          <Icon name="search" size={14} />
          <input id="conversation-search" type="search" placeholder="Search conversations" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="list-switch">
          <button type="button" className="button ghost small" aria-pressed={showArchived} onClick={() => setShowArchived((v) => !v)}>
            <Icon name="archive" size={14} /> {showArchived ? 'Showing archived' : 'Show archived'}
          </button>
        </div>
        <ErrorNote error={actionError} className="small" />
        {list.isError ? <ErrorNote error={list.error} className="small" /> : null}
        <ul className="conversation-list">
          {list.isPending ? <li className="muted pad">Loading…</li> : null}
          {list.isSuccess && items.length === 0 ? (
            <li className="muted pad">{q ? 'No conversation matches.' : showArchived ? 'No archived conversations.' : 'No conversations yet.'}</li>
          ) : null}
          {items.map((c) => (
            <li key={c.id} className={c.id === activeId ? 'conversation active' : 'conversation'}>
              {editing === c.id ? (
                <RenameForm
                  initial={c.title ?? ''}
                  onCancel={() => {
                    setEditing(null);
                    setRefocus({ id: c.id });
                  }}
                  onSave={(title) => {
                    setEditing(null);
                    setRefocus({ id: c.id });
                    if (title && title !== c.title) void change(() => rename.mutateAsync({ id: c.id, title })).then((made) => made && onRenamed(c.id, title));
                  }}
                />
              ) : (
                <>
                  <Link to={`/c/${c.id}`} className="conversation-link" aria-current={c.id === activeId ? 'page' : undefined} onClick={onClose}>
                    {c.pinned ? (
                      <span className="pin-mark" title="Pinned">
                        <Icon name="pin" size={12} />
                        <span className="visually-hidden">Pinned: </span>
                      </span>
                    ) : null}
                    <span className="conversation-title">{c.title || 'New conversation'}</span>
                  </Link>
                  <ConversationMenu title={c.title || 'New conversation'} buttonId={menuButtonId(c.id)} actions={actionsOf(c)} />
                </>
              )}
            </li>
          ))}
          {hasNextPage ? (
            <li ref={sentinel} className="pad">
              <button type="button" className="button ghost small wide" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
                {isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </li>
          ) : null}
        </ul>
      </aside>
      {open ? <button type="button" className="backdrop" aria-label="Close conversations" onClick={onClose} tabIndex={-1} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this conversation?"
        message={`"${deleting?.title || 'New conversation'}" and all its messages will be deleted. This cannot be undone.`}
        confirmLabel="Delete"
        danger
        onCancel={() => {
          if (deleting) setRefocus({ id: deleting.id });
          setDeleting(null);
        }}
        onConfirm={() => {
          const target = deleting;
          setDeleting(null);
          if (!target) return;
          const index = items.indexOf(target);
          void change(async () => {
            await remove.mutateAsync(target.id);
            if (target.id === activeId) navigate('/', { replace: true });
          }).then((made) => setRefocus(made ? { index } : { id: target.id }));
        }}
      />
    </>
  );
}

function RenameForm({ initial, onSave, onCancel }: { initial: string; onSave: (title: string) => void; onCancel: () => void }) {
  const [title, setTitle] = useState(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave(title.trim());
  };
  return (
    <form className="rename-form" onSubmit={submit}>
      <label className="visually-hidden" htmlFor="rename-input">
        New title
      </label>
      <input
        id="rename-input"
        value={title}
        maxLength={200}
        autoFocus
        onChange={(e) => setTitle(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
        }}
      />
      <button type="submit" className="button small primary">
        Save
      </button>
    </form>
  );
}
