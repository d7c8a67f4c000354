// The server's JSON shapes, as the web app reads them (snake_case, as on the wire).

export type TierName = 'free' | 'starter' | 'builder' | 'advanced';
export const TIER_NAMES: TierName[] = ['free', 'starter', 'builder', 'advanced'];

export interface User {
  id: string;
  email: string;
  tier: TierName;
  role: 'user' | 'admin';
  is_active: boolean;
  tier_updated_at: string | null;
  created_at: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: User;
}

export interface Model {
  id: string;
  label: string;
  provider: string;
  context_window: number;
  max_output_tokens: number;
  input_price_per_million_usd: number;
  output_price_per_million_usd: number;
}

export interface ModelsResponse {
  models: Model[];
  default_model: string;
}

export interface Conversation {
  id: string;
  /** Null until the server has named it (from the first message). */
  title: string | null;
  model: string;
  system_prompt: string | null;
  pinned: boolean;
  archived: boolean;
  created_at: string;
  updated_at: string;
  last_message_at: string | null;
}

export type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'failed';

export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  status: MessageStatus;
  model: string | null;
  error: string | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
  created_at: string;
}

export interface ConversationWithMessages extends Conversation {
  messages: StoredMessage[];
}

export interface ConversationPage {
  items: Conversation[];
  next_cursor: string | null;
}

export interface UsageByModel {
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface UsageByDay {
  date: string;
  total_tokens: number;
  requests?: number;
}

export interface UsageReport {
  month: string;
  tier: TierName;
  limit: number;
  personal_cap: number | null;
  effective_limit: number;
  used: number;
  reserved: number;
  remaining: number;
  resets_at: string;
  by_model: UsageByModel[];
  by_day: UsageByDay[];
}

export interface Tier {
  name: TierName;
  monthly_tokens: number;
  requests_per_minute: number;
  models: string[];
}

export interface AdminUser extends User {
  usage: { month: string; used: number; limit: number };
}

export interface AdminUsersPage {
  items: AdminUser[];
  total: number;
}

export interface AdminUsage {
  month: string;
  totals: { total_tokens: number; cost_usd: number; requests: number };
  by_tier: { tier: TierName; users: number; total_tokens: number }[];
  by_model: { model: string; total_tokens: number; cost_usd: number; requests: number }[];
  by_day: { date: string; total_tokens: number }[];
}

/** Metadata the chat stream attaches to an assistant message (start and message-metadata chunks). */
export interface ChatMessageMetadata {
  conversation_id?: string;
  user_message_id?: string;
  model?: string;
  status?: MessageStatus;
  error?: string | null;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
}
