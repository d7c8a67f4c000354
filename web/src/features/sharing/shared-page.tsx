// /s/<token>: a shared conversation, read only, for anyone with the link (docs/decisions/022).
// It stands outside the signed-in frame: no sidebar, no account, nothing else of the owner's; the
// messages go through the chat's own markdown renderer.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { ThemeToggle } from '../../components/theme-toggle';
import { useSession } from '../../lib/app-context';
import { formatDate } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import { Link } from '../../lib/router';
import type { SharedConversation } from '../../lib/types';
import { MessageMarkdown } from '../chat/markdown';
import { fetchSharedConversation } from './share-api';

export function SharedPage({ token }: { token: string }) {
  const shared = useSharedConversation(token);
  return (
    <div className="shared-page">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Quota Chat home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Quota Chat</span>
        </Link>
        <div className="topbar-end">
          <ThemeToggle />
          <AccountLinks />
        </div>
      </header>
      <main id="main" className="shared-main">
        {shared.data ? (
          <Conversation conversation={shared.data} />
        ) : shared.error !== undefined ? (
          <NotShared error={shared.error} />
        ) : (
          <p className="muted" role="status">
            Loading the conversation…
          </p>
        )}
      </main>
    </div>
  );
}

/**
 * The conversation, read once per token. Not through the query cache: the app clears that when
 * the visitor turns out to be signed out, which would drop a read in flight (and a link's view
 * belongs to no session anyway).
 */
function useSharedConversation(token: string): { data?: SharedConversation; error?: unknown } {
  const [state, setState] = useState<{ token: string; data?: SharedConversation; error?: unknown } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchSharedConversation(token, controller.signal).then(
      (data) => setState({ token, data }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ token, error });
      },
    );
    return () => controller.abort();
  }, [token]);
  return state?.token === token ? state : {};
}

function AccountLinks() {
  const { status } = useSession();
  if (status === 'authenticated') {
    return (
      <Link to="/" className="button small">
        Go to your chats
      </Link>
    );
  }
  return (
    <>
      <Link to="/login" className="button ghost small">
        Log in
      </Link>
      <Link to="/register" className="button primary small">
        Sign up
      </Link>
    </>
  );
}

function Conversation({ conversation }: { conversation: SharedConversation }) {
  return (
    <article className="shared-conversation" aria-labelledby="shared-title">
      <p className="shared-note" role="note">
        Shared conversation — read only
      </p>
      <h1 id="shared-title">{conversation.title ?? 'Shared conversation'}</h1>
      <p className="muted small">
        Started {formatDate(conversation.created_at)} · shared {formatDate(conversation.shared_at)}
      </p>
      <div className="shared-messages">
        {conversation.messages.map((m, i) =>
          m.role === 'user' ? (
            <section key={i} className="message user" aria-label="User wrote">
              <div className="bubble">{m.content}</div>
            </section>
          ) : (
            <section key={i} className="message assistant" aria-label="Assistant replied">
              <div className="markdown">
                <MessageMarkdown text={m.content} streaming={false} />
              </div>
              {m.status === 'stopped' ? <p className="message-status">Stopped</p> : null}
              {m.status === 'failed' ? <p className="message-status failed">The reply failed.</p> : null}
            </section>
          ),
        )}
      </div>
      <p className="shared-footer muted">
        Want to chat like this? <Link to="/register">Sign up for Quota Chat</Link>.
      </p>
    </article>
  );
}

function NotShared({ error }: { error: unknown }) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <div className="page narrow">
      <h1>{missing ? 'This link does not work' : 'Could not open the conversation'}</h1>
      {missing ? <p>The link may have been deleted by the person who shared it, or it was copied incompletely.</p> : <ErrorNote error={error} />}
      <p>
        <Link to="/">Go to Quota Chat</Link>
      </p>
    </div>
  );
}
