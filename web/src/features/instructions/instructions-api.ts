// REST state for instructions: the user's default (GET/PUT /api/preferences) and a conversation's
// own system prompt (PATCH /api/conversations/:id, or a new conversation made with it).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { Conversation, Preferences, PreferencesChange } from '../../lib/types';

/** The server's limit (lib/system-prompt.ts), in characters as it counts them (code points). */
export const INSTRUCTIONS_MAX_CHARS = 20_000;

export const countCharacters = (text: string) => [...text].length;

export function usePreferences() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.preferences, queryFn: ({ signal }) => api<Preferences>('/api/preferences', { signal }) });
}

export function useSavePreferences() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesChange) => api<Preferences>('/api/preferences', { method: 'PUT', body }),
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.preferences, saved),
  });
}

/** Saves a conversation's instructions; a chat not yet started is created with them. */
export function useSaveConversationInstructions() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, model, systemPrompt }: { id: string | null; model: string; systemPrompt: string | null }) =>
      id
        ? api<Conversation>(`/api/conversations/${encodeURIComponent(id)}`, { method: 'PATCH', body: { system_prompt: systemPrompt } })
        : api<Conversation>('/api/conversations', { method: 'POST', body: { model, system_prompt: systemPrompt } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all }),
  });
}
