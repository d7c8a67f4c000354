// The login page's single sign-on part (GET /api/sso): "Sign in with <provider>", a plain link,
// since the provider's page must load in the window; and whether password sign-up is offered.
// Fetched outside the query cache: the app clears that cache as the visitor turns out anonymous,
// which is exactly when the login page asks.
import { useEffect, useState } from 'react';
import { useApi } from '../../lib/app-context';
import type { SsoInfo } from '../../lib/types';

/** Null until the server answered (or when it could not: the page then offers what it always did). */
export function useSsoInfo(): SsoInfo | null {
  const api = useApi();
  const [info, setInfo] = useState<SsoInfo | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    api<SsoInfo>('/api/sso', { signal: abort.signal }).then(setInfo, () => undefined);
    return () => abort.abort();
  }, [api]);
  return info;
}

export function SsoSignIn({ provider }: { provider: SsoInfo['provider'] | undefined }) {
  if (!provider) return null;
  return (
    <a className="button wide" href={provider.login_url}>
      Sign in with {provider.name}
    </a>
  );
}
