// A small history-API router: the app has a handful of flat routes, so a routing library would
// only add weight. navigate() pushes a URL and notifies useLocation() subscribers.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, { replace = false }: { replace?: boolean } = {}) {
  const current = window.location.pathname + window.location.search;
  if (to === current) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

export function useLocation(): { pathname: string; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const url = new URL(href, 'http://local');
  return { pathname: url.pathname, search: url.searchParams, href };
}

/** "/c/:id" against "/c/123" gives { id: "123" }; no match gives null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = pathname.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    const seg = s[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

/**
 * Only a path on this site may be the destination after logging in (`?next=` is anyone's to
 * write). Anything else, or a path that does not decode, goes to the chat.
 */
export function safeNextPath(next: string | null): string {
  if (!next || !isLocalPath(next) || next.startsWith('/login') || next.startsWith('/register')) return '/';
  return next;
}

// Browsers read a backslash as a slash and drop tabs and newlines, so `/\evil.example` and
// `/<tab>/evil.example` are both `//evil.example`: another site. Each decoded form is checked too,
// in case something decodes the path again on its way.
function isLocalPath(path: string): boolean {
  let current = path;
  for (let i = 0; i < 4; i++) {
    if (!current.startsWith('/') || current.startsWith('//') || /[\\\p{Cc}]/u.test(current)) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return false;
    }
    if (decoded === current) {
      const base = 'http://this-site.invalid';
      return new URL(path, base).origin === base;
    }
    current = decoded;
  }
  return false; // encoded over and over: no real link looks like that
}
