// Unsent text is kept per user and conversation in localStorage (drafts are not secrets), so a
// reload, or a session that expired mid-typing, loses nothing.
import { readLocal, writeLocal } from '../../lib/storage';

export const draftKey = (userId: string, conversationId: string | null) => `qc:draft:${userId}:${conversationId ?? 'new'}`;

export const loadDraft = (key: string) => readLocal(key) ?? '';
export const saveDraft = (key: string, text: string) => writeLocal(key, text.trim() ? text : null);
