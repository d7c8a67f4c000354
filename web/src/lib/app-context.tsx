// The session store and the API function, given to every page through context (tests give
// their own, with a fake fetch).
import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { createApi, type Api } from './api';
import type { SessionState, SessionStore } from './session';

interface AppServices {
  session: SessionStore;
  api: Api;
}

const Ctx = createContext<AppServices | null>(null);

export function ServicesProvider({ session, children }: { session: SessionStore; children: ReactNode }) {
  const value = useMemo(() => ({ session, api: createApi(session) }), [session]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

function useServices(): AppServices {
  const value = useContext(Ctx);
  if (!value) throw new Error('ServicesProvider is missing');
  return value;
}

export const useSessionStore = () => useServices().session;
export const useApi = () => useServices().api;

export function useSession(): SessionState {
  const session = useSessionStore();
  return useSyncExternalStore(session.subscribe, session.getState, session.getState);
}
