// Mailed links carry their token in the fragment (#token=...), which the browser never sends to a
// server; the page reads it once and drops it from the address bar and history.
export function takeMailedToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (token) window.history.replaceState(null, '', window.location.pathname);
  return token;
}
