// Teams in the browser (issue 13): an owner creates a team and invites an address; with no mail set
// up the link is shown, and the invitee, signed out in another browser, follows it, signs up and
// joins. The owner gives them a cap; they chat on the team's plan and the team's usage shows it; a
// cap below their use is refused in the cap's own words; someone outside gets "not found".
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshotPath, sendAndWait, signUp, uniqueEmail } from './support/browser.js';

const PASSWORD = 'correct horse battery staple';
const escape = (s: string) => s.replace(/[.+]/g, '\\$&');

/** On a team's page as an admin: sets the member's monthly cap. */
async function setCap(page: Page, email: string, cap: string) {
  const members = page.getByRole('region', { name: 'Members (scrolls sideways)' });
  await members.getByRole('button', { name: `Edit ${email}` }).click();
  await page.getByLabel(`Monthly cap of ${email}`, { exact: true }).fill(cap);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await members
    .getByRole('row', { name: new RegExp(escape(email)) })
    .getByText(new RegExp(` of ${Number(cap).toLocaleString('en-US')}$`))
    .waitFor();
}

describe('teams, in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('invites by link, caps a member, charges the team for their chat, refuses past the cap and hides the team from others', async () => {
    const owner = await openPage(browser);
    const ownerEmail = uniqueEmail('team-owner');
    await signUp(owner.page, ownerEmail);
    await owner.page.getByRole('link', { name: 'Teams', exact: true }).click();
    await owner.page.getByText('You are in no team yet.').waitFor();
    const teamName = `Lab ${Date.now().toString(36)}`;
    await owner.page.getByLabel('Team name', { exact: true }).fill(teamName);
    await owner.page.getByRole('button', { name: 'Create team' }).click();
    await owner.page.getByRole('heading', { name: teamName }).waitFor();
    const teamPath = new URL(owner.page.url()).pathname;
    expect(teamPath).toMatch(/^\/teams\/[0-9a-f-]{36}$/);
    expect(await owner.page.getByRole('meter').getAttribute('aria-valuetext')).toMatch(/^0 of [\d,]+ tokens used/);

    // No mail on this server: the link is shown to pass on.
    const memberEmail = uniqueEmail('team-member');
    await owner.page.getByLabel('Email address', { exact: true }).fill(memberEmail);
    await owner.page.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = (await owner.page.getByLabel('Invitation link', { exact: true }).innerText()).trim();
    expect(link).toMatch(/\/teams\/join#token=/);
    await owner.page.getByRole('table', { name: 'Open invitations' }).getByText(memberEmail).waitFor();

    // The invitee, signed out in another browser, follows it, signs up, and joins.
    const member = await openPage(browser);
    await member.page.goto(link);
    await member.page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(member.page.url()).not.toContain('token');
    await member.page.getByRole('link', { name: 'Create an account' }).click();
    await member.page.getByLabel('Email', { exact: true }).fill(memberEmail);
    await member.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await member.page.getByRole('button', { name: 'Sign up' }).click();
    await member.page.getByText(`You are now a member of ${teamName}`).waitFor();

    // The owner sees them and gives them a cap.
    await owner.page.reload();
    await setCap(owner.page, memberEmail, '4000');

    // They chat on the team's plan; the pool and the team's usage show it.
    await member.page.getByRole('link', { name: `Open ${teamName}` }).click();
    await member.page.getByRole('heading', { name: 'Your use of the pool' }).waitFor();
    await member.page.getByRole('link', { name: 'Chat', exact: true }).click();
    await member.page.getByLabel('Plan', { exact: true }).selectOption({ label: `Team: ${teamName}` });
    const chatted = member.page.waitForRequest((r) => r.url().endsWith('/api/chat') && r.method() === 'POST');
    await sendAndWait(member.page, 'Hello from the team plan');
    expect((await chatted).postDataJSON()).toMatchObject({ team_id: teamPath.split('/').pop() });
    await member.page.getByRole('link', { name: 'Usage', exact: true }).click();
    await member.page.getByRole('meter').waitFor();
    expect(Number(await member.page.getByRole('meter').getAttribute('aria-valuenow')), 'nothing on the personal plan').toBe(0);

    await owner.page.reload();
    const byMember = owner.page.getByRole('region', { name: 'Team usage by member (scrolls sideways)' });
    const used = Number(
      (
        await byMember
          .getByRole('row', { name: new RegExp(escape(memberEmail)) })
          .locator('td')
          .nth(2)
          .innerText()
      ).replace(/,/g, ''),
    );
    expect(used).toBeGreaterThan(0);
    expect(Number(await owner.page.getByRole('meter').getAttribute('aria-valuenow'))).toBe(used);
    await byMember.scrollIntoViewIfNeeded();
    await owner.page.screenshot({ path: screenshotPath('team-usage-light-desktop') });

    // A cap below their use: the next message is refused in the cap's words, naming the team.
    await setCap(owner.page, memberEmail, '1');
    await member.page.getByRole('link', { name: 'Chat', exact: true }).click();
    expect(await member.page.getByLabel('Plan', { exact: true }).inputValue(), 'a new chat starts on the plan picked last').not.toBe('');
    await member.page.getByLabel('Message', { exact: true }).fill('One more on the team');
    await member.page.getByRole('button', { name: 'Send message' }).click();
    const notice = member.page.getByRole('alert').filter({ hasText: `You have reached your cap in ${teamName}` });
    await notice.waitFor();
    const text = await notice.innerText();
    expect(text).toContain(`The admins of ${teamName} set this cap`);
    expect(text).not.toMatch(/Monthly limit reached|plan's limit/);
    await member.page.screenshot({ path: screenshotPath('chat-member-cap-light-desktop') });

    // Someone outside the team: "not found", nothing more.
    const outsider = await openPage(browser);
    await signUp(outsider.page, uniqueEmail('outsider'));
    await outsider.page.goto(teamPath);
    await outsider.page.getByRole('heading', { name: 'Team not found' }).waitFor();
    expect(await outsider.page.getByText(teamName).count()).toBe(0);

    expect(owner.problems).toEqual([]);
    expect(member.problems).toEqual([]);
    expect(outsider.problems).toEqual([]);
  });
});
