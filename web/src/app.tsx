// Routes, the session guard and the page frame. Pages other than log-in and sign-up are loaded on
// demand, so the first load stays small.
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { ErrorBoundary } from './components/error-boundary';
import { Icon } from './components/icon';
import { ShortcutsDialog } from './components/shortcuts-dialog';
import { ThemeToggle } from './components/theme-toggle';
import { OPEN_PAGES } from './features/account/open-pages';
import { VerificationBanner } from './features/account/verification-banner';
import { LoginPage } from './features/auth/login-page';
import { RegisterPage } from './features/auth/register-page';
import { useSession, useSessionStore } from './lib/app-context';
import { Link, matchPath, navigate, safeNextPath, useLocation } from './lib/router';
import { shortcutOf } from './lib/shortcuts';

const loadChat = () => import('./features/chat/chat-page');
const ChatPage = lazy(() => loadChat().then((m) => ({ default: m.ChatPage })));
const UsagePage = lazy(() => import('./features/usage/usage-page').then((m) => ({ default: m.UsagePage })));
const SettingsPage = lazy(() => import('./features/settings/settings-page').then((m) => ({ default: m.SettingsPage })));
const PlansPage = lazy(() => import('./features/billing/plans-page').then((m) => ({ default: m.PlansPage })));
const TeamsPage = lazy(() => import('./features/teams/teams-page').then((m) => ({ default: m.TeamsPage })));
const TeamPage = lazy(() => import('./features/teams/team-page').then((m) => ({ default: m.TeamPage })));
const AdminPage = lazy(() => import('./features/admin/admin-page').then((m) => ({ default: m.AdminPage })));
const SharedPage = lazy(() => import('./features/sharing/shared-page').then((m) => ({ default: m.SharedPage })));

const PUBLIC_PATHS = ['/login', '/register'];

// Most visits land on the chat: fetch its code while the session is being restored.
if (typeof window !== 'undefined' && !PUBLIC_PATHS.includes(window.location.pathname)) void loadChat();

export function App() {
  const state = useSession();
  const queryClient = useQueryClient();
  const { pathname, search, href } = useLocation();
  const isPublic = PUBLIC_PATHS.includes(pathname);
  // A shared conversation (/s/<token>) is for anyone with the link, signed in or not.
  const sharedToken = matchPath('/s/:token', pathname)?.['token'];

  // Whoever signs in next must not see the previous user's cached data.
  useEffect(() => {
    if (state.status === 'anonymous') queryClient.clear();
  }, [state.status, queryClient]);

  useEffect(() => {
    if (state.status === 'anonymous' && !isPublic && !OPEN_PAGES[pathname] && sharedToken === undefined) {
      const next = href === '/' ? '' : `?next=${encodeURIComponent(href)}`;
      navigate(`/login${next}`, { replace: true });
    } else if (state.status === 'authenticated' && isPublic) {
      navigate(safeNextPath(search.get('next')), { replace: true });
    }
  }, [state.status, isPublic, pathname, href, search, sharedToken]);

  if (sharedToken !== undefined)
    return (
      <Suspense fallback={<Splash />}>
        <SharedPage token={sharedToken} />
      </Suspense>
    );
  if (state.status === 'loading') return <Splash />;
  // Pages reached from mail or before signing in, whoever is signed in (features/account).
  const OpenPage = OPEN_PAGES[pathname];
  if (OpenPage)
    return (
      <Suspense fallback={<Splash />}>
        <OpenPage />
      </Suspense>
    );
  if (isPublic) {
    if (state.status === 'authenticated') return <Splash />;
    return pathname === '/login' ? <LoginPage /> : <RegisterPage />;
  }
  if (state.status !== 'authenticated') return <Splash />;

  return (
    <Frame pathname={pathname}>
      <ErrorBoundary resetKey={pathname}>
        <Suspense fallback={<Splash />}>{route(pathname, state.user?.role === 'admin')}</Suspense>
      </ErrorBoundary>
    </Frame>
  );
}

function route(pathname: string, isAdmin: boolean): ReactNode {
  if (pathname === '/' || pathname === '/c') return <ChatPage conversationId={null} />;
  const chat = matchPath('/c/:id', pathname);
  if (chat) return <ChatPage conversationId={chat['id']!} />;
  if (pathname === '/usage') return <UsagePage />;
  if (pathname === '/plans') return <PlansPage />;
  if (pathname === '/settings') return <SettingsPage />;
  if (pathname === '/teams') return <TeamsPage />;
  const team = matchPath('/teams/:id', pathname);
  if (team) return <TeamPage id={team['id']!} />;
  if (pathname === '/admin') return isAdmin ? <AdminPage /> : <NotFound message="This page is for administrators." />;
  return <NotFound message="There is nothing at this address." />;
}

function Splash() {
  return (
    <div className="splash" role="status" aria-live="polite">
      <span className="brand-mark" aria-hidden="true" /> Loading…
    </div>
  );
}

function NotFound({ message }: { message: string }) {
  return (
    <main className="page narrow">
      <h1>Not found</h1>
      <p>{message}</p>
      <p>
        <Link to="/">Back to the chat</Link>
      </p>
    </main>
  );
}

const NAV = [
  { to: '/', label: 'Chat', match: (p: string) => p === '/' || p.startsWith('/c/') },
  { to: '/usage', label: 'Usage', match: (p: string) => p === '/usage' },
  { to: '/teams', label: 'Teams', match: (p: string) => p.startsWith('/teams') },
  { to: '/plans', label: 'Plans', match: (p: string) => p === '/plans' },
  { to: '/settings', label: 'Settings', match: (p: string) => p === '/settings' },
];

/** The message box, once the chat page shows it (it may still be loading after a navigation). */
function focusComposer(tries = 20) {
  const box = document.getElementById('composer-input');
  if (box) box.focus();
  else if (tries > 0) setTimeout(() => focusComposer(tries - 1), 50);
}

function Frame({ pathname, children }: { pathname: string; children: ReactNode }) {
  const { user } = useSession();
  const session = useSessionStore();
  const links = user?.role === 'admin' ? [...NAV, { to: '/admin', label: 'Admin', match: (p: string) => p === '/admin' }] : NAV;

  async function logout() {
    await session.logout();
    navigate('/login', { replace: true });
  }

  const [help, setHelp] = useState(false);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented) return;
      const action = shortcutOf(e);
      if (!action || (action !== 'help' && document.querySelector('dialog[open]'))) return;
      e.preventDefault();
      if (action === 'help') setHelp(true);
      else if (action === 'new-chat') {
        navigate('/');
        focusComposer();
      } else focusComposer(0);
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Quota Chat home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Quota Chat</span>
        </Link>
        <nav aria-label="Main" className="topnav">
          {links.map((l) => (
            <Link key={l.to} to={l.to} aria-current={l.match(pathname) ? 'page' : undefined}>
              {l.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-end">
          <button
            type="button"
            className="button ghost small icon shortcuts-button"
            onClick={() => setHelp(true)}
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (Ctrl+/)"
          >
            <Icon name="keyboard" />
          </button>
          <ThemeToggle />
          <span className="user-email" title={user?.email}>
            {user?.email}
          </span>
          <button type="button" className="button ghost small logout" onClick={() => void logout()} aria-label="Log out" title="Log out">
            <Icon name="logout" />
            <span className="label-text">Log out</span>
          </button>
        </div>
      </header>
      <VerificationBanner />
      <div id="main" className="app-body">
        {children}
      </div>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
