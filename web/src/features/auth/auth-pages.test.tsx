import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../lib/session';
import { fakeServer, json, problem, renderWithServices, tokens } from '../../test/harness';
import { LoginPage } from './login-page';
import { RegisterPage } from './register-page';

describe('RegisterPage', () => {
  it("shows the server's field messages beside the fields, not its codes", async () => {
    const server = fakeServer({
      'POST /api/auth/register': () =>
        problem(422, 'VALIDATION_FAILED', 'email: Enter a valid email address.; password: Use at least 8 characters.', {
          issues: [
            { location: 'body', path: 'email', message: 'Enter a valid email address.' },
            { location: 'body', path: 'password', message: 'Use at least 8 characters.' },
          ],
        }),
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    renderWithServices(<RegisterPage />, session);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));

    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(email.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent).toBe('Enter a valid email address.');
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(document.body.textContent).not.toContain('VALIDATION_FAILED');
  });

  it('says when the email is taken', async () => {
    const server = fakeServer({ 'POST /api/auth/register': () => problem(400, 'EMAIL_TAKEN', 'An account with this email already exists') });
    renderWithServices(<RegisterPage />, new SessionStore({ fetch: server.fetch, locks: null }));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await screen.findByText('An account with this email already exists')).toBeTruthy();
  });

  it('signs in straight after creating the account', async () => {
    const server = fakeServer({
      'POST /api/auth/register': () => json({ id: 'u' }, 201),
      'POST /api/auth/login': () => json(tokens('token-new')),
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    renderWithServices(<RegisterPage />, session);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    await waitFor(() => expect(session.getState().status).toBe('authenticated'));
    expect(server.calls.map((c) => c.path)).toEqual(['/api/auth/register', '/api/auth/login']);
  });

  it('goes on to where the person was going (?next=), as logging in does', async () => {
    window.history.replaceState(null, '', '/register?next=%2Fteams%2Fjoin');
    const server = fakeServer({
      'POST /api/auth/register': () => json({ id: 'u' }, 201),
      'POST /api/auth/login': () => json(tokens('token-new')),
    });
    renderWithServices(<RegisterPage />, new SessionStore({ fetch: server.fetch, locks: null }));
    expect(screen.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe('/login?next=%2Fteams%2Fjoin');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    await waitFor(() => expect(window.location.pathname).toBe('/teams/join'));
  });
});

describe('LoginPage', () => {
  it('shows a wrong password as a message', async () => {
    const server = fakeServer({ 'POST /api/auth/login': () => problem(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect') });
    renderWithServices(<LoginPage />, new SessionStore({ fetch: server.fetch, locks: null }));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Email or password is incorrect');
  });
});
