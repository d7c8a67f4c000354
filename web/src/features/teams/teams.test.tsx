import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Team, TeamDetail, TeamRole, TeamUsage } from '../../lib/types';
import { fakeServer, json, problem, renderWithServices, signedInSession, testUser, tokens } from '../../test/harness';
import { parseCap } from './team-members';
import { TeamPage } from './team-page';
import { TeamsPage } from './teams-page';

const TEAM = '00000000-0000-4000-8000-0000000000aa';
const BOB = '00000000-0000-4000-8000-000000000002';
const member = (user_id: string, email: string, role: TeamRole, monthly_token_cap: number | null = null) => ({
  user_id,
  email,
  role,
  monthly_token_cap,
  joined_at: '2026-11-01T00:00:00Z',
});
const zero = { reserved: 0, requests: 0, cost_usd: 0 };

/** A team in which the test user has `role`, with Bob as a member; the server's state as it changes. */
function teamServer(role: TeamRole) {
  const members = [member(testUser.id, testUser.email, role), member(BOB, 'bob@example.com', role === 'owner' ? 'member' : 'owner', 5000)];
  const admin = role !== 'member';
  const detail = (): TeamDetail => ({
    id: TEAM,
    name: 'Research',
    tier: 'starter',
    role,
    monthly_token_cap: null,
    created_at: '2026-11-01T00:00:00Z',
    pool: 100_000,
    members,
    invitations: [],
  });
  const usage = (): TeamUsage => ({
    month: '2026-12',
    resets_at: '2027-01-01T00:00:00Z',
    tier: 'starter',
    pool: { limit: 100_000, remaining: 98_000, used: 2000, ...zero },
    by_member: members.filter((m) => admin || m.user_id === testUser.id).map((m) => ({ ...m, used: m.user_id === BOB ? 1500 : 500, ...zero, requests: 2 })),
    by_model: [{ model: 'demo', requests: 4, input_tokens: 800, output_tokens: 1200, total_tokens: 2000, cost_usd: 0 }],
  });
  const server = fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    [`GET /api/teams/${TEAM}`]: () => json(detail()),
    [`GET /api/teams/${TEAM}/usage`]: () => json(usage()),
    [`PATCH /api/teams/${TEAM}/members/${BOB}`]: (_url, init) => {
      const body = JSON.parse(init.body as string) as { monthly_token_cap: number | null; role?: TeamRole };
      members[1] = { ...members[1]!, monthly_token_cap: body.monthly_token_cap, role: body.role ?? members[1]!.role };
      return json(members[1]);
    },
    [`POST /api/teams/${TEAM}/invitations`]: (_url, init) => {
      const body = JSON.parse(init.body as string) as { email: string; role: 'member' | 'admin' };
      return json(
        {
          id: 'i1',
          ...body,
          created_at: '2026-12-01T00:00:00Z',
          expires_at: '2026-12-08T00:00:00Z',
          link: 'http://localhost/teams/join#token=abc',
          mailed: false,
        },
        201,
      );
    },
    [`DELETE /api/teams/${TEAM}`]: () => new Response(null, { status: 204 }),
    [`DELETE /api/teams/${TEAM}/members/${testUser.id}`]: () => new Response(null, { status: 204 }),
    'GET /api/teams': () => json({ items: [] }),
  });
  return server;
}

const memberRow = (name: RegExp) => within(screen.getByRole('region', { name: 'Members (scrolls sideways)' })).getByRole('row', { name });

async function showTeam(role: TeamRole) {
  const server = teamServer(role);
  renderWithServices(<TeamPage id={TEAM} />, await signedInSession(server));
  await screen.findByRole('heading', { name: 'Research' });
  return server;
}

describe('TeamsPage', () => {
  it('lists my teams with my role, and creating one opens its page', async () => {
    const teams: Team[] = [{ id: TEAM, name: 'Research', tier: 'free', role: 'admin', monthly_token_cap: 2000, created_at: '2026-11-01T00:00:00Z' }];
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokens('t')),
      'GET /api/teams': () => json({ items: teams }),
      'POST /api/teams': (_url, init) => {
        const { name } = JSON.parse(init.body as string) as { name: string };
        if (name === 'x'.repeat(101))
          return problem(422, 'VALIDATION_FAILED', 'Invalid', { issues: [{ path: 'name', message: 'Use at most 100 characters.' }] });
        return json({ ...teams[0], id: 'new-team', name, role: 'owner', monthly_token_cap: null }, 201);
      },
    });
    renderWithServices(<TeamsPage />, await signedInSession(server));
    const row = await screen.findByRole('row', { name: /Research/ });
    expect(within(row).getByRole('link', { name: 'Research' }).getAttribute('href')).toBe(`/teams/${TEAM}`);
    expect(row.textContent).toContain('Admin');
    expect(row.textContent).toContain('2,000');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create team' }));
    expect(await screen.findByText('Give the team a name.')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST' && c.path === '/api/teams')).toBe(false);
    await user.type(screen.getByLabelText('Team name'), 'Lab');
    await user.click(screen.getByRole('button', { name: 'Create team' }));
    await waitFor(() => expect(window.location.pathname).toBe('/teams/new-team'));
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/teams')?.body).toEqual({ name: 'Lab' });
  });
});

describe('TeamPage', () => {
  it("shows an admin the pool, every member's cap and use, and sets a member's cap", async () => {
    const server = await showTeam('admin');
    expect((await screen.findByRole('meter')).getAttribute('aria-valuenow')).toBe('2000');
    expect(screen.getByText(/Starter \(100,000 tokens a month\)/)).toBeTruthy();
    const bob = memberRow(/bob@example.com/);
    await within(bob).findByText('1,500 of 5,000');
    expect(within(bob).getByText('Owner')).toBeTruthy();
    // Bob owns the team: an admin sets his cap but cannot remove him.
    expect(within(bob).queryByRole('button', { name: /Remove/ })).toBeNull();

    const user = userEvent.setup();
    await user.click(within(bob).getByRole('button', { name: 'Edit bob@example.com' }));
    expect(within(screen.getByRole('form', { name: 'Cap and role of bob@example.com' })).queryByLabelText('Role')).toBeNull();
    const field = screen.getByLabelText('Monthly cap of bob@example.com');
    await user.clear(field);
    await user.type(field, '12.5');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/whole number of tokens/)).toBeTruthy();
    await user.clear(field);
    await user.type(field, '1200');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(memberRow(/bob@example.com/)).queryByText('1,500 of 1,200')).toBeTruthy());
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ monthly_token_cap: 1200 });

    await user.click(within(memberRow(/bob@example.com/)).getByRole('button', { name: /^Edit/ }));
    await user.click(screen.getByRole('button', { name: 'Remove cap' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toEqual({ monthly_token_cap: null }));
    expect(within(screen.getByRole('region', { name: 'Team usage by member (scrolls sideways)' })).getByRole('row', { name: /bob@example.com/ })).toBeTruthy();
  });

  it('lets the owner make a member an admin, and only the owner', async () => {
    const server = await showTeam('owner');
    const user = userEvent.setup();
    await user.click(within(memberRow(/bob@example.com/)).getByRole('button', { name: 'Edit bob@example.com' }));
    await user.selectOptions(within(screen.getByRole('form', { name: 'Cap and role of bob@example.com' })).getByLabelText('Role'), 'admin');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(memberRow(/bob@example.com/)).queryByText('Admin')).toBeTruthy());
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ monthly_token_cap: 5000, role: 'admin' });
  });

  it('shows the invitation link to pass on when the server mailed nothing', async () => {
    const server = await showTeam('admin');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email address'), 'carol@example.com');
    await user.selectOptions(screen.getByLabelText('Role'), 'admin');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect((await screen.findByLabelText('Invitation link')).textContent).toBe('http://localhost/teams/join#token=abc');
    expect(screen.getByText(/send this link to/).textContent).toContain('carol@example.com');
    expect(server.calls.find((c) => c.path.endsWith('/invitations'))?.body).toEqual({ email: 'carol@example.com', role: 'admin' });
  });

  it("shows a member their own use only, no invitations and no one else's figures, and lets them leave", async () => {
    const server = await showTeam('member');
    expect(screen.getByRole('heading', { name: 'Your use of the pool' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Invite people' })).toBeNull();
    const bob = memberRow(/bob@example.com/);
    expect(within(bob).getByText('Cap 5,000')).toBeTruthy();
    expect(within(bob).queryByRole('button')).toBeNull();
    await within(memberRow(/\(you\)/)).findByText('500 (no cap)');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Leave team…' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Leave Research?' })).getByRole('button', { name: 'Leave' }));
    await waitFor(() => expect(window.location.pathname).toBe('/teams'));
    expect(server.calls.some((c) => c.method === 'DELETE' && c.path === `/api/teams/${TEAM}/members/${testUser.id}`)).toBe(true);
  });

  it('lets the owner delete the team after a confirmation, and not leave it', async () => {
    const server = await showTeam('owner');
    expect(screen.queryByRole('button', { name: 'Leave team…' })).toBeNull();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Delete team…' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Research?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(server.calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Delete team…' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Delete Research?' })).getByRole('button', { name: 'Delete team' }));
    await waitFor(() => expect(window.location.pathname).toBe('/teams'));
    expect(server.calls.some((c) => c.method === 'DELETE' && c.path === `/api/teams/${TEAM}`)).toBe(true);
  });

  it("says only 'not found' for a team the user is not in", async () => {
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokens('t')),
      [`GET /api/teams/${TEAM}`]: () => problem(404, 'TEAM_NOT_FOUND', 'There is no such team'),
      [`GET /api/teams/${TEAM}/usage`]: () => problem(404, 'TEAM_NOT_FOUND', 'There is no such team'),
    });
    renderWithServices(<TeamPage id={TEAM} />, await signedInSession(server));
    expect(await screen.findByRole('heading', { name: 'Team not found' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('parseCap', () => {
  it('takes a whole number or nothing, and names anything else', () => {
    expect(parseCap(' 1200 ')).toEqual({ cap: 1200 });
    expect(parseCap('')).toEqual({ cap: null });
    expect(parseCap('0')).toEqual({ cap: 0 });
    for (const bad of ['-1', '1e3', '12.5', 'ten', '99999999999999999999']) expect(parseCap(bad)).toHaveProperty('error');
  });
});
