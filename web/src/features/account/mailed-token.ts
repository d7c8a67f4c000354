// Mailed links carry their token in the fragment (#token=...), which the browser never sends to a
// server; the page reads it and drops it from the address bar and history once it is shown. The
// read stays pure: React may throw a render away and render again (a page that suspended, an
// interrupted render under load), and a token taken away by the first render would be lost to the
// second; the e2e teams test timed out on that once.
import { useEffect, useState } from 'react';

function tokenInAddress(): string | null {
  return new URLSearchParams(window.location.hash.slice(1)).get('token');
}

/** The token of the mailed link this page was opened with, or null. */
export function useMailedToken(): string | null {
  const [token] = useState(tokenInAddress);
  useEffect(() => {
    if (token && tokenInAddress()) window.history.replaceState(null, '', window.location.pathname);
  }, [token]);
  return token;
}
