// /v1/chat/completions sends OpenAI's x-ratelimit-* headers, read here from the official client's
// raw response (.withResponse(), .asResponse()) as a developer would: the requests of the current
// minute and the month's token budget, this call's worst case counted until it settles.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { countPromptTokens } from '../../lib/model-calls/tokenizer.js';
import { getTierLimits } from '../../lib/tiers/tiers.js';
import { promptReservation } from '../usage/usage.service.js';
import { newClient, setupApiTest } from './openai-api.test-support.js';
import { formatResetDuration } from './rate-limit-headers.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];
const maxTokens = 50;
// The worst case a call of these messages reserves: its prompt with the margin, and max_tokens.
const reserved = promptReservation(countPromptTokens(undefined, messages), 'openai') + maxTokens;

function limitsOf(headers: Headers) {
  const get = (name: string) => headers.get(`x-ratelimit-${name}`);
  return {
    limitRequests: Number(get('limit-requests')),
    remainingRequests: Number(get('remaining-requests')),
    resetRequests: get('reset-requests'),
    limitTokens: Number(get('limit-tokens')),
    remainingTokens: Number(get('remaining-tokens')),
    resetTokens: get('reset-tokens'),
  };
}

describe.each(testDbKinds())('x-ratelimit-* headers on /v1 with the official client on %s', (kind) => {
  // Free accounts get 2 requests a minute here, so that one can be refused (the others are on starter).
  const ctx = setupApiTest(kind, { env: { TIER_FREE_REQUESTS_PER_MINUTE: '2' } });
  // The tests' clock is fixed at 2026-11-20T10:00:00Z: the minute has 60 s to go, the month
  // resets on 1 December at 00:00 UTC, 254 hours later.
  const resetRequests = '1m0s';
  const resetTokens = '254h0m0s';

  it('reports the requests of the minute and the tokens of the month on a completion and on a stream', async () => {
    ctx.upstream.reset({ text: 'Hi!', usage: { inputTokens: 31, outputTokens: 9 } });
    const { client } = await newClient(ctx, 'starter');
    const tier = getTierLimits(ctx.t.config.tiers, 'starter');

    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: maxTokens }).withResponse();
    expect(first.data.usage?.total_tokens).toBe(40);
    expect(limitsOf(first.response.headers)).toEqual({
      limitRequests: tier.requestsPerMinute,
      remainingRequests: tier.requestsPerMinute - 1,
      resetRequests,
      limitTokens: tier.monthlyTokens,
      remainingTokens: tier.monthlyTokens - reserved,
      resetTokens,
    });

    // The first call has settled at 40 tokens; the stream's own worst case is set aside.
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages, max_tokens: maxTokens, stream: true })
      .withResponse();
    for await (const chunk of stream) void chunk;
    expect(limitsOf(response.headers)).toMatchObject({
      remainingRequests: tier.requestsPerMinute - 2,
      remainingTokens: tier.monthlyTokens - 40 - reserved,
    });
  });

  it('shows a personal monthly cap as the token limit, in the raw response of .asResponse()', async () => {
    ctx.upstream.reset({ text: 'Hi!', usage: { inputTokens: 31, outputTokens: 9 } });
    const { user, client } = await newClient(ctx, 'starter');
    await ctx.t.db.query('UPDATE users SET monthly_token_cap = 5000 WHERE id = $1', [user.id]);
    const raw = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: maxTokens }).asResponse();
    expect(raw.status).toBe(200);
    expect(limitsOf(raw.headers)).toMatchObject({ limitTokens: 5000, remainingTokens: 5000 - reserved, remainingRequests: expect.any(Number) });
  });

  it("answers the 429 past the minute's requests with the requests trio, read from the client's RateLimitError", async () => {
    ctx.upstream.reset({ text: 'Hi!', usage: { inputTokens: 3, outputTokens: 1 } });
    const { client } = await newClient(ctx, 'free');
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'demo', messages, max_tokens: 1 });
    const refused = await client.chat.completions.create({ model: 'demo', messages, max_tokens: 1 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const headers = (refused as InstanceType<typeof OpenAI.RateLimitError>).headers;
    expect(limitsOf(headers)).toMatchObject({ limitRequests: 2, remainingRequests: 0, resetRequests: '1m0s' });
  });
});

describe('formatResetDuration', () => {
  it('writes durations as OpenAI does', () => {
    expect([250, 1000, 59_001, 60_000, 361_000, 3_600_000].map(formatResetDuration)).toEqual(['250ms', '1s', '1m0s', '1m0s', '6m1s', '1h0m0s']);
  });
});
