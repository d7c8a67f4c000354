// The OpenAI Chat Completions and Models formats, as far as this server speaks them. Requests are
// not strict: the official clients send fields we do not use (n, seed, user, tools: null...), and
// those are ignored; a field we do use, given with the wrong type or range, is a 400.
import { z } from 'zod';

const textPart = z.object({
  type: z.literal('text', { error: 'Only text content parts ({"type": "text", "text": "..."}) are supported.' }),
  text: z.string(),
});
const content = z.union([z.string(), z.array(textPart).min(1)], { error: 'Use a string or an array of text parts.' });

const message = z
  .object({
    // "developer" is what newer OpenAI models call the system message; both become the system prompt.
    role: z.enum(['system', 'developer', 'user', 'assistant'], { error: 'Use the role system, developer, user or assistant.' }),
    // An assistant turn may come back without content (OpenAI's own replies can have content: null).
    content: content.nullish(),
  })
  .refine((m) => m.role === 'assistant' || (m.content !== undefined && m.content !== null), {
    path: ['content'],
    error: 'This message needs content.',
  });
export type ChatCompletionMessage = z.infer<typeof message>;

export const chatCompletionBody = z.object({
  model: z.string().min(1).max(128),
  messages: z
    .array(message)
    .min(1, 'Send at least one message.')
    .refine((ms) => ms.length === 0 || ms.some((m) => m.role === 'user' || m.role === 'assistant'), 'Send at least one user or assistant message.'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)], { error: 'Use a string or an array of up to 4 strings.' }).nullish(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

export const modelListResponse = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
});

export const completionUsage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });
export type CompletionUsage = z.infer<typeof completionUsage>;

export const finishReason = z.enum(['stop', 'length']);

export const chatCompletionResponse = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
      logprobs: z.null(),
      finish_reason: finishReason,
    }),
  ),
  usage: completionUsage,
});
export type ChatCompletion = z.infer<typeof chatCompletionResponse>;

/** What every /v1 error answers, so that the official clients raise their matching exception. */
export const openAiErrorResponse = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
    /** On a quota refusal: the level whose limit ran out (tier, personal_cap, key_cap...), as the /api problem names it. */
    level: z.string().optional(),
  }),
});
export type OpenAiErrorBody = z.infer<typeof openAiErrorResponse>;
