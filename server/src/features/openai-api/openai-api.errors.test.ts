// Errors on /v1, as the official client raises them: OpenAI's {"error": {message, type, param,
// code}} with OpenAI's statuses, so AuthenticationError, NotFoundError, PermissionDeniedError,
// RateLimitError and BadRequestError come out where a developer expects them. Refused calls store
// nothing; failed ones are settled; a provider's error body never reaches the client.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { expectInvariants } from '../../../test/invariants.js';
import { authHeader } from '../../../test/test-app.js';
import { FAKE_UPSTREAM_KEYS } from '../chat/chat.test-support.js';
import { newClient, openAiClient, setupApiTest, usageRecords } from './openai-api.test-support.js';

const LEAKS = new RegExp(`upstream-secret-detail|sk-live|${Object.values(FAKE_UPSTREAM_KEYS).join('|')}`);

/** The error a call rejects with (fails the test if it resolves). */
async function errorOf(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const outcome = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(OpenAI.APIError);
  return outcome as InstanceType<typeof OpenAI.APIError>;
}

describe.each(testDbKinds())('errors of the OpenAI-compatible API on %s', (kind) => {
  const ctx = setupApiTest(kind, {
    env: {
      TIER_FREE_REQUESTS_PER_MINUTE: '3',
      OPENAI_COMPATIBLE_CONTEXT_WINDOW: '3000',
      OPENAI_COMPATIBLE_MAX_OUTPUT_TOKENS: '1000',
      UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '2000',
    },
  });
  const hello = [{ role: 'user' as const, content: 'Hello' }];

  it('raises AuthenticationError (401 invalid_api_key) for a wrong, revoked or missing key', async () => {
    const { user, key } = await newClient(ctx);
    for (const apiKey of [`qc_${'x'.repeat(43)}`, 'sk-not-ours', user.accessToken]) {
      const err = await errorOf(openAiClient(ctx, apiKey).models.list());
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    }
    const [{ id }] = (await ctx.t.app.inject({ method: 'GET', url: '/api/keys', headers: authHeader(user) })).json().items;
    await ctx.t.app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: authHeader(user) });
    const revoked = await errorOf(openAiClient(ctx, key).chat.completions.create({ model: 'demo', messages: hello }));
    expect(revoked).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(await usageRecords(ctx, user.id)).toEqual([]);
  });

  it('raises NotFoundError (404 model_not_found) for an unknown model', async () => {
    const { user, client } = await newClient(ctx);
    const err = await errorOf(client.chat.completions.create({ model: 'gpt-9', messages: hello }));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(err.message).toContain('GET /v1/models');
    await expectInvariants(ctx.t.db, user.id, { calls: 0 });
  });

  it('raises PermissionDeniedError (403) for a model outside the tier, and calls nothing', async () => {
    const { user, client } = await newClient(ctx, 'free');
    const err = await errorOf(client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello }));
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err).toMatchObject({ status: 403, code: 'model_not_allowed', param: 'model' });
    expect(ctx.upstream.requests).toHaveLength(0);
    await expectInvariants(ctx.t.db, user.id, { calls: 0 });
  });

  it('raises RateLimitError (429 insufficient_quota) past the monthly cap, streaming or not, and records nothing beyond it', async () => {
    const { user, client } = await newClient(ctx);
    const cap = 120;
    expect((await ctx.t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: cap } })).statusCode).toBe(
      200,
    );
    let refused: InstanceType<typeof OpenAI.APIError> | undefined;
    let calls = 0;
    while (!refused && calls < 20) {
      try {
        await client.chat.completions.create({ model: 'demo', messages: hello, max_tokens: 20 });
        calls += 1;
      } catch (err) {
        refused = err as InstanceType<typeof OpenAI.APIError>;
      }
    }
    expect(calls).toBeGreaterThan(0);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(refused!.message).toMatch(/of your own monthly cap of 120 tokens remain/);
    // Nothing in flight: only the new month helps, so the official client is told not to retry.
    expect(refused!.headers?.get('x-should-retry')).toBe('false');
    expect(Number(refused!.headers?.get('retry-after'))).toBeGreaterThan(0);

    const streamed = await errorOf(client.chat.completions.create({ model: 'demo', messages: hello, stream: true }));
    expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
    await expectInvariants(ctx.t.db, user.id, { calls, limit: cap });
  });

  it('counts /v1 and /api/chat calls against one requests-per-minute limit: RateLimitError (rate_limit_exceeded) with Retry-After', async () => {
    const { user, client } = await newClient(ctx, 'free'); // 3 requests a minute in this file
    for (let i = 0; i < 2; i++) {
      expect(
        (await ctx.t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: { model: 'demo', content: `hi ${i}` } })).statusCode,
      ).toBe(200);
    }
    await client.chat.completions.create({ model: 'demo', messages: hello });
    const err = await errorOf(client.chat.completions.create({ model: 'demo', messages: hello }));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(err.headers?.get('x-should-retry')).toBeNull();
    await expectInvariants(ctx.t.db, user.id, { calls: 3 });
  });

  it('raises BadRequestError (400, with the param) for fields of the wrong type, and calls nothing', async () => {
    const { user, client } = await newClient(ctx);
    const cases: [Record<string, unknown>, string][] = [
      [{ temperature: 'hot' }, 'temperature'],
      [{ temperature: 3 }, 'temperature'],
      [{ stream: 'yes' }, 'stream'],
      [{ max_tokens: 0 }, 'max_tokens'],
      [{ stop: 42 }, 'stop'],
      [{ messages: [] }, 'messages'],
      [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }] }, 'messages.0.content'],
      [{ messages: [{ role: 'user' }] }, 'messages.0.content'],
      [{ messages: [{ role: 'system', content: 'Only a system prompt' }] }, 'messages'],
      [{ model: 42 }, 'model'],
    ];
    for (const [change, param] of cases) {
      const err = await errorOf(client.chat.completions.create({ model: 'demo', messages: hello, ...change } as never));
      expect(err, JSON.stringify(change)).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err, JSON.stringify(change)).toMatchObject({ status: 400, type: 'invalid_request_error', param: expect.stringContaining(param) });
    }
    await expectInvariants(ctx.t.db, user.id, { calls: 0 });
  });

  it('raises BadRequestError (400 context_length_exceeded) for messages that do not fit the model', async () => {
    const { user, client } = await newClient(ctx);
    const long = 'word '.repeat(2500);
    const err = await errorOf(client.chat.completions.create({ model: 'llama3.1', messages: [{ role: 'user', content: long }] }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ code: 'context_length_exceeded', param: 'messages' });
    expect(ctx.upstream.requests).toHaveLength(0);
    // With a smaller reply the same messages fit.
    await client.chat.completions.create({ model: 'llama3.1', messages: [{ role: 'user', content: long }], max_tokens: 100 });
    await expectInvariants(ctx.t.db, user.id, { calls: 1 });
  });

  describe.each([false, true])('with stream: %s', (stream) => {
    it('answers a provider refusal with a 502 that carries none of its body, and records the failed call at 0 tokens', async () => {
      const { user, client } = await newClient(ctx);
      for (const status of [401, 500]) {
        ctx.upstream.reset({ status });
        const err = await errorOf(client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, stream }));
        expect(err).toBeInstanceOf(OpenAI.InternalServerError);
        expect(err).toMatchObject({ status: 502, type: 'server_error', code: 'upstream_error' });
        expect(JSON.stringify({ message: err.message, error: err.error })).not.toMatch(LEAKS);
      }
      const records = await usageRecords(ctx, user.id);
      expect(records.map((r) => [r.outcome, r.total_tokens])).toEqual([
        ['failed', 0],
        ['failed', 0],
      ]);
      await expectInvariants(ctx.t.db, user.id, { calls: 2 });
    });

    it('raises an error when the provider breaks off midway, and settles what was produced', async () => {
      const { user, client } = await newClient(ctx);
      ctx.upstream.reset({ text: 'one two three four five six seven eight', failAfterTokens: 3 });
      const received: string[] = [];
      const err = await errorOf(
        (async () => {
          const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, stream });
          if (!stream) return;
          for await (const chunk of reply as AsyncIterable<OpenAI.ChatCompletionChunk>) received.push(chunk.choices[0]?.delta.content ?? '');
        })(),
      );
      expect(err.message).toContain('broke off');
      expect(JSON.stringify(err.error)).not.toMatch(LEAKS);
      if (stream) expect(received.join('')).toBe('one two three ');
      else expect(err).toMatchObject({ status: 502, code: 'upstream_error' });
      const [record] = await usageRecords(ctx, user.id);
      expect(record).toMatchObject({ outcome: 'failed', usage_source: 'estimate' });
      expect(record!.output_tokens).toBeGreaterThan(0);
      await expectInvariants(ctx.t.db, user.id, { calls: 1 });
    });
  });

  it("answers an unknown /v1 path and a body that is not JSON in OpenAI's shape", async () => {
    const { key } = await newClient(ctx);
    const headers = { authorization: `Bearer ${key}` };
    const unknown = await ctx.t.app.inject({ method: 'GET', url: '/v1/engines', headers });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/engines).', type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    const broken = await ctx.t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"model":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatchObject({ type: 'invalid_request_error', code: 'malformed_request' });
  });
});
