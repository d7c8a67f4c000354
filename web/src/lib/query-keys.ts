// Every query's key, in one place: pages read with them and mutations invalidate with them. Keys
// nest, so a prefix reaches every variant: `conversations.all` is every list (any search, archived
// or not), `usage.all` every month, `admin.all` the admin's users and totals.
export const queryKeys = {
  conversations: {
    all: ['conversations'] as const,
    list: (q: string, archived: boolean) => ['conversations', q, archived] as const,
  },
  /** One conversation with its messages; not under `conversations`, so a list refresh leaves an open chat alone. */
  conversation: (id: string | null) => ['conversation', id] as const,
  /** A conversation's shared link (the owner's view of it). */
  share: (id: string) => ['share', id] as const,
  models: ['models'] as const,
  tiers: ['tiers'] as const,
  usage: {
    all: ['usage'] as const,
    month: (month: string) => ['usage', month] as const,
  },
  apiKeys: ['api-keys'] as const,
  /** `teams.all` reaches the list, every team and every team's months. */
  teams: {
    all: ['teams'] as const,
    list: ['teams', 'list'] as const,
    detail: (id: string) => ['teams', id] as const,
    usage: (id: string, month: string) => ['teams', id, 'usage', month] as const,
  },
  preferences: ['preferences'] as const,
  billing: ['billing'] as const,
  admin: {
    all: ['admin'] as const,
    users: (q: string, offset: number) => ['admin', 'users', q, offset] as const,
    usage: (month: string) => ['admin', 'usage', month] as const,
  },
};
