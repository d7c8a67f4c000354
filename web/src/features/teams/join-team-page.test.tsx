import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../lib/session';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { JoinTeamPage } from './join-team-page';

const TEAM = { id: 't1', name: 'Research', tier: 'free', role: 'member', monthly_token_cap: null, created_at: '2026-12-01T00:00:00Z' };

function joinServer(signedIn: boolean) {
  return fakeServer({
    'POST /api/auth/refresh': () => (signedIn ? json(tokens('t')) : problem(401, 'UNAUTHENTICATED', 'Log in')),
    'POST /api/teams/join': (_url, init) => {
      const { token } = JSON.parse(init.body as string) as { token: string };
      return token === 'good' ? json(TEAM) : problem(400, 'TEAM_INVITATION_INVALID', 'Ask the team for a new invitation.');
    },
  });
}

afterEach(() => sessionStorage.clear());

describe('JoinTeamPage', () => {
  it('sends a signed-out visitor to log in, the token kept out of every URL, and joins once they are back', async () => {
    window.history.replaceState(null, '', '/teams/join#token=good');
    const anonymous = new SessionStore({ fetch: joinServer(false).fetch, locks: null });
    await anonymous.restore();
    const first = renderWithServices(<JoinTeamPage />, anonymous);
    await waitFor(() => expect(window.location.pathname).toBe('/login'));
    expect(window.location.search).toBe('?next=%2Fteams%2Fjoin');
    expect(window.location.href).not.toContain('good');
    first.unmount();

    // Signed in, the page at /teams/join (no fragment now) joins with the kept token.
    window.history.replaceState(null, '', '/teams/join');
    const server = joinServer(true);
    renderWithServices(<JoinTeamPage />, await signedInSession(server));
    expect((await screen.findByText(/You are now a member of/)).textContent).toMatch(/You are now a member of Research/);
    expect(screen.getByRole('link', { name: 'Open Research' }).getAttribute('href')).toBe('/teams/t1');
    expect(server.calls.filter((c) => c.path === '/api/teams/join').map((c) => c.body)).toEqual([{ token: 'good' }]);
    expect(sessionStorage.length).toBe(0);
  });

  it("shows the server's refusal and the address signed in", async () => {
    window.history.replaceState(null, '', '/teams/join#token=bad');
    renderWithServices(<JoinTeamPage />, await signedInSession(joinServer(true)));
    expect((await screen.findByRole('alert')).textContent).toContain('Ask the team for a new invitation.');
    expect(screen.getByText(/you are signed in as ada@example.com/)).toBeTruthy();
  });

  it('asks for the link when there is no token', async () => {
    window.history.replaceState(null, '', '/teams/join');
    const server = joinServer(true);
    renderWithServices(<JoinTeamPage />, await signedInSession(server));
    expect(await screen.findByText('This page needs the link from an invitation.')).toBeTruthy();
    expect(server.calls.some((c) => c.path === '/api/teams/join')).toBe(false);
  });
});
