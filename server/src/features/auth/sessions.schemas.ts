import { z } from 'zod';

export const sessionResponse = z.object({
  id: z.uuid(),
  created_at: z.string(),
  /** The session's last refresh: within one access-token lifetime of its last use. */
  last_used_at: z.string(),
  user_agent: z.string().nullable(),
  /** As the proxy reports it (TRUST_PROXY). */
  ip: z.string().nullable(),
  /** The session this request was made with. */
  current: z.boolean(),
});
export const sessionsResponse = z.object({ items: z.array(sessionResponse) });
export const sessionIdParams = z.object({ id: z.uuid('Not a session id.') });

export type SessionResponse = z.infer<typeof sessionResponse>;
export type SessionsResponse = z.infer<typeof sessionsResponse>;

export function toSessionResponse(s: {
  id: string;
  created_at: Date;
  last_used_at: Date;
  user_agent: string | null;
  ip: string | null;
  current: boolean;
}): SessionResponse {
  return { ...s, created_at: new Date(s.created_at).toISOString(), last_used_at: new Date(s.last_used_at).toISOString() };
}
