// The chat page: the sidebar and the current conversation. A conversation started here gets its
// id from the server mid-stream; the URL then changes to /c/<id> without remounting the chat, so
// the reply keeps streaming.
import { useCallback, useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { useSession } from '../../lib/app-context';
import { ApiError } from '../../lib/problem';
import { Link, navigate } from '../../lib/router';
import { toUIMessages, useConversation } from './chat-api';
import { ChatSession } from './chat-session';
import { Sidebar } from './sidebar';

interface Active {
  key: string;
  /** The conversation shown: the route's, or the one this session just created. */
  id: string | null;
  /** Whether the conversation existed when the chat was opened (then its messages are loaded). */
  load: boolean;
}

const newKey = () => `chat-${Math.random().toString(36).slice(2)}`;

export function ChatPage({ conversationId }: { conversationId: string | null }) {
  const { user } = useSession();
  const [active, setActive] = useState<Active>(() => ({ key: conversationId ?? newKey(), id: conversationId, load: conversationId !== null }));
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [renamed, setRenamed] = useState<Record<string, string>>({});

  // The route moved to another conversation (or to a new one): start a fresh chat.
  if (conversationId !== active.id) {
    setActive({ key: conversationId ?? newKey(), id: conversationId, load: conversationId !== null });
  }

  const onConversationCreated = useCallback((id: string) => {
    setActive((a) => ({ ...a, id }));
    navigate(`/c/${encodeURIComponent(id)}`, { replace: true });
  }, []);

  return (
    <div className="chat-page">
      <Sidebar
        activeId={active.id}
        open={sidebarOpen}
        onClose={() => setSidebarOpen(false)}
        onRenamed={(id, title) => setRenamed((r) => ({ ...r, [id]: title }))}
      />
      <main className="chat-main">
        {active.load && active.id ? (
          <LoadedChat
            key={active.key}
            chatKey={active.key}
            id={active.id}
            userId={user!.id}
            renamedTo={renamed[active.id]}
            onOpenSidebar={() => setSidebarOpen(true)}
          />
        ) : (
          <ChatSession
            key={active.key}
            chatKey={active.key}
            userId={user!.id}
            conversationId={null}
            title={null}
            renamedTo={active.id ? renamed[active.id] : undefined}
            initialMessages={[]}
            initialModel={null}
            onConversationCreated={onConversationCreated}
            onOpenSidebar={() => setSidebarOpen(true)}
          />
        )}
      </main>
    </div>
  );
}

interface LoadedChatProps {
  chatKey: string;
  id: string;
  userId: string;
  renamedTo: string | undefined;
  onOpenSidebar: () => void;
}

function LoadedChat({ chatKey, id, userId, renamedTo, onOpenSidebar }: LoadedChatProps) {
  // ChatSession reads these only when it mounts: a later refetch never resets a chat in progress.
  const conversation = useConversation(id);
  if (!conversation.data) {
    if (conversation.isError) {
      const missing = conversation.error instanceof ApiError && conversation.error.status === 404;
      return (
        <div className="page narrow">
          <h1>{missing ? 'Conversation not found' : 'Could not open the conversation'}</h1>
          {missing ? <p>It may have been deleted.</p> : <ErrorNote error={conversation.error} />}
          <p>
            <Link to="/">Start a new chat</Link>
          </p>
        </div>
      );
    }
    return (
      <p className="page muted" role="status">
        Loading the conversation…
      </p>
    );
  }
  const data = conversation.data;
  return (
    <ChatSession
      chatKey={chatKey}
      userId={userId}
      conversationId={data.id}
      title={data.title}
      renamedTo={renamedTo}
      initialMessages={toUIMessages(data.messages)}
      initialModel={data.model}
      onConversationCreated={() => undefined}
      onOpenSidebar={onOpenSidebar}
    />
  );
}
