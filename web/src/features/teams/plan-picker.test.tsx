import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ModelsResponse, Team } from '../../lib/types';
import { demoModels, fakeServer, json, problem, renderWithServices, signedInSession, testUser, tokens, type Handler } from '../../test/harness';
import { ChatSession } from '../chat/chat-session';
import { loadPlan, modelsOnPlan, resolvePlan, savePlan } from './plan-choice';

const TEAM: Team = {
  id: '00000000-0000-4000-8000-0000000000aa',
  name: 'Research',
  tier: 'starter',
  role: 'member',
  monthly_token_cap: 500,
  created_at: '2026-11-01T00:00:00Z',
};
const CONV = '11111111-1111-4111-8111-111111111111';

async function openChat(chat: Handler, conversationId: string | null = null) {
  const server = fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    'GET /api/models': demoModels,
    'GET /api/teams': () => json({ items: [TEAM] }),
    'POST /api/chat': chat,
    [`GET /api/conversations/${CONV}`]: () => problem(404, 'CONVERSATION_NOT_FOUND', 'No such conversation'),
  });
  renderWithServices(
    <ChatSession
      chatKey="k"
      userId={testUser.id}
      conversationId={conversationId}
      title={null}
      initialMessages={[]}
      initialModel={null}
      onConversationCreated={vi.fn()}
      onOpenSidebar={() => undefined}
    />,
    await signedInSession(server),
  );
  await screen.findByRole('option', { name: 'Team: Research' });
  return { server, user: userEvent.setup() };
}

const refusal = (level: string, limit: number) => () =>
  problem(429, 'QUOTA_EXCEEDED', 'x', { level, limit, used: limit, reserved: 0, remaining: 0, resets_at: '2027-01-01T00:00:00Z' });

describe('The Plan picker in the chat', () => {
  it("charges the team picked, and a refusal of the member's cap names the team and its admins", async () => {
    const { server, user } = await openChat(refusal('member_cap', 500));
    expect(screen.getByLabelText<HTMLSelectElement>('Plan').value).toBe('');
    await user.selectOptions(screen.getByLabelText('Plan'), 'Team: Research');
    await user.type(screen.getByLabelText('Message'), 'Hello team{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('You have reached your cap in Research');
    expect(alert.textContent).toContain("You've used your monthly cap of 500 tokens in Research; resets on");
    expect(alert.textContent).toContain('The admins of Research set this cap');
    expect(alert.textContent).not.toMatch(/tier|plan's limit/);
    expect(server.calls.find((c) => c.path === '/api/chat')?.body).toEqual({ model: 'demo', action: 'send', content: 'Hello team', team_id: TEAM.id });
    // The next new chat starts on the team.
    expect(loadPlan(testUser.id, null)).toBe(TEAM.id);
  });

  it("says the team's pool is used up, not the personal tier, on team_pool", async () => {
    savePlan(testUser.id, null, TEAM.id);
    const { user } = await openChat(refusal('team_pool', 100_000));
    expect(screen.getByLabelText<HTMLSelectElement>('Plan').value).toBe(TEAM.id);
    await user.type(screen.getByLabelText('Message'), 'Hello{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Your team's monthly pool is used up");
    expect(alert.textContent).toContain('Research has used its monthly 100,000 tokens');
    expect(screen.getByRole('link', { name: 'Research' }).getAttribute('href')).toBe(`/teams/${TEAM.id}`);
  });

  it('keeps a conversation on Personal when it was chatted on Personal, whatever was picked last', async () => {
    savePlan(testUser.id, CONV, null);
    savePlan(testUser.id, null, TEAM.id);
    await openChat(refusal('tier', 1), CONV);
    await waitFor(() => expect(screen.getByLabelText<HTMLSelectElement>('Plan').value).toBe(''));
  });
});

describe('plan choice', () => {
  it('falls back to Personal for a team one is no longer in', () => {
    expect(resolvePlan('gone', [TEAM])).toEqual({ teamId: null, team: null });
    expect(resolvePlan(TEAM.id, [TEAM]).team).toBe(TEAM);
    expect(resolvePlan('personal', [TEAM]).teamId).toBeNull();
  });

  it("offers on a team's plan the models of the team's tier", async () => {
    const demo = ((await demoModels().json()) as ModelsResponse).models[0]!;
    const base = (id: string, tiers: Team['tier'][]) => ({ ...demo, id, tiers });
    const models: ModelsResponse = {
      models: [base('small', ['free', 'starter'])],
      default_model: 'small',
      other_models: [base('big', ['starter']), base('huge', ['advanced'])],
    };
    expect(modelsOnPlan(models, null).allowed.map((m) => m.id)).toEqual(['small']);
    expect(modelsOnPlan(models, { tier: 'starter' })).toMatchObject({ defaultModel: 'small' });
    expect(modelsOnPlan(models, { tier: 'starter' }).allowed.map((m) => m.id)).toEqual(['small', 'big']);
    expect(modelsOnPlan(models, { tier: 'advanced' })).toMatchObject({ defaultModel: 'huge' });
  });
});
