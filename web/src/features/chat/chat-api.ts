// REST state for the chat page: conversations, one conversation with its messages, models.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import type { ConversationPage, ConversationWithMessages, ModelsResponse, StoredMessage } from '../../lib/types';
import type { ChatUIMessage } from './chat-transport';

export const PAGE_SIZE = 30;

/** The conversation list, or the archived ones, with what `q` finds in titles and messages. */
export function useConversations(q: string, archived = false) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['conversations', q, archived],
    queryFn: ({ pageParam, signal }) =>
      api<ConversationPage>('/api/conversations', { query: { limit: PAGE_SIZE, cursor: pageParam, q, archived }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useConversation(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['conversation', id],
    queryFn: ({ signal }) => api<ConversationWithMessages>(`/api/conversations/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
    // Always fresh when a conversation is opened: the chat session takes it over from there.
    gcTime: 0,
    staleTime: 0,
  });
}

export function useModels() {
  const api = useApi();
  return useQuery({ queryKey: ['models'], queryFn: ({ signal }) => api<ModelsResponse>('/api/models', { signal }), staleTime: 60_000 });
}

export function toUIMessages(messages: StoredMessage[]): ChatUIMessage[] {
  return messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({
      id: m.id,
      role: m.role as 'user' | 'assistant',
      parts: [{ type: 'text' as const, text: m.content }],
      metadata: {
        status: m.status,
        model: m.model ?? undefined,
        error: m.error,
        ...(m.role === 'assistant' && m.input_tokens != null && m.output_tokens != null
          ? { usage: { input_tokens: m.input_tokens, output_tokens: m.output_tokens, total_tokens: m.input_tokens + m.output_tokens } }
          : {}),
      },
    }));
}
