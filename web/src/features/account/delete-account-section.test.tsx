import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { DeleteAccountSection } from './delete-account-section';

describe('DeleteAccountSection', () => {
  it('names the teams the account owns, each linked, when the server refuses for them', async () => {
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokens('t')),
      'DELETE /api/auth/account': () =>
        problem(409, 'ACCOUNT_OWNS_TEAMS', 'You own "Lab", which other people use.', {
          teams: [
            { id: 't1', name: 'Lab' },
            { id: 't2', name: 'Ops' },
          ],
        }),
    });
    renderWithServices(<DeleteAccountSection />, await signedInSession(server));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Delete account…' }));
    await user.type(screen.getByLabelText('Your password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Delete my account' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your account was not deleted: you own teams that other people use.');
    expect(within(alert).getByRole('link', { name: 'Lab' }).getAttribute('href')).toBe('/teams/t1');
    expect(within(alert).getByRole('link', { name: 'Ops' }).getAttribute('href')).toBe('/teams/t2');
    expect(within(alert).getByRole('link', { name: 'Go to your teams' }).getAttribute('href')).toBe('/teams');
    expect(window.location.pathname).not.toBe('/login');
  });
});
