import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Conversation, Preferences } from '../../lib/types';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { InstructionsButton } from './instructions-dialog';
import { InstructionsSection } from './instructions-section';

const conversation = (id: string, systemPrompt: string | null): Conversation => ({
  id,
  title: 'Trip',
  model: 'demo',
  system_prompt: systemPrompt,
  pinned: false,
  archived: false,
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
  last_message_at: null,
});

function preferencesServer(initial: string | null) {
  let prefs: Preferences = { default_system_prompt: initial, updated_at: null };
  return fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    'GET /api/preferences': () => json(prefs),
    'PUT /api/preferences': (_url, init) => {
      const body = JSON.parse(init.body as string) as { default_system_prompt: string | null };
      if ((body.default_system_prompt ?? '').includes('refuse')) return problem(422, 'SYSTEM_PROMPT_TOO_LONG', 'The instructions are 20,001 characters long.');
      prefs = { default_system_prompt: body.default_system_prompt, updated_at: '2026-12-02T10:00:00.000Z' };
      return json(prefs);
    },
    'GET /api/conversations/c1': () => json({ ...conversation('c1', 'Be brief.'), messages: [] }),
    'PATCH /api/conversations/c1': (_url, init) => json(conversation('c1', (JSON.parse(init.body as string) as { system_prompt: string }).system_prompt)),
    'POST /api/conversations': (_url, init) => json(conversation('c2', (JSON.parse(init.body as string) as { system_prompt: string }).system_prompt), 201),
  });
}

describe('InstructionsSection (Settings)', () => {
  it('shows the saved default, saves a new one with PUT, and clears it with an empty box', async () => {
    const server = preferencesServer('Answer in French.');
    renderWithServices(<InstructionsSection />, await signedInSession(server));
    const box = await screen.findByLabelText('Default instructions for new conversations');
    expect((box as HTMLTextAreaElement).value).toBe('Answer in French.');
    expect(screen.getByText('17 / 20,000')).toBeTruthy();

    const user = userEvent.setup();
    await user.clear(box);
    await user.type(box, 'Use metric units.');
    await user.click(screen.getByRole('button', { name: 'Save instructions' }));
    await screen.findByText('Saved. New conversations start with these instructions.');
    expect(server.calls.find((c) => c.method === 'PUT')?.body).toEqual({ default_system_prompt: 'Use metric units.' });

    await user.clear(box);
    await user.click(screen.getByRole('button', { name: 'Save instructions' }));
    await screen.findByText('Saved. New conversations start with no instructions.');
    expect(server.calls.filter((c) => c.method === 'PUT').at(-1)?.body).toEqual({ default_system_prompt: null });
  });

  it('counts characters as the server does, refuses to save past 20,000, and shows a refusal in its words', async () => {
    const server = preferencesServer(null);
    renderWithServices(<InstructionsSection />, await signedInSession(server));
    const box = await screen.findByLabelText('Default instructions for new conversations');
    const user = userEvent.setup();
    await user.click(box);
    await user.paste('😀'.repeat(20_000));
    expect(screen.getByText('20,000 / 20,000')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save instructions' }).disabled).toBe(false);
    await user.type(box, 'x');
    expect(screen.getByRole('alert').textContent).toBe('Shorten the instructions to at most 20,000 characters.');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save instructions' }).disabled).toBe(true);

    await user.clear(box);
    await user.type(box, 'please refuse');
    await user.click(screen.getByRole('button', { name: 'Save instructions' }));
    expect((await screen.findByRole('alert')).textContent).toContain('20,001 characters');
  });
});

describe('InstructionsButton (chat header)', () => {
  it("edits an open conversation's own instructions with PATCH", async () => {
    const server = preferencesServer('Default.');
    const onCreated = vi.fn();
    renderWithServices(<InstructionsButton conversationId="c1" model="demo" onCreated={onCreated} />, await signedInSession(server));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Instructions' }));
    const box = await screen.findByLabelText('System prompt');
    expect((box as HTMLTextAreaElement).value).toBe('Be brief.');
    await user.type(box, ' Use lists.');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ system_prompt: 'Be brief. Use lists.' }));
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('starts from the default in a new chat, and saving creates the conversation with the text', async () => {
    const server = preferencesServer('Default.');
    const onCreated = vi.fn();
    renderWithServices(<InstructionsButton conversationId={null} model="demo" onCreated={onCreated} />, await signedInSession(server));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Instructions' }));
    const box = await screen.findByLabelText('System prompt');
    expect((box as HTMLTextAreaElement).value).toBe('Default.');
    await user.clear(box);
    await user.type(box, 'Only for this one.');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledWith('c2'));
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/conversations')?.body).toEqual({
      model: 'demo',
      system_prompt: 'Only for this one.',
    });
  });
});
