// What the offline demo model says: a deterministic reply built only from what it received, so
// that a fresh install shows a working chat and tests can predict every word. A message with the
// word "long" gets several more paragraphs, enough to test stopping a reply midway.
import { countPromptTokens, countTextTokens, type PromptMessage } from '../tokenizer.js';

export interface DemoInput {
  system: string | undefined;
  messages: PromptMessage[];
}

export function demoPromptTokens(input: DemoInput): number {
  return countPromptTokens(input.system, input.messages);
}

function quote(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const CONFIGURE = [
  'To chat with a real model, the operator of this server sets a provider in its environment and restarts it:',
  '',
  '- **OpenAI**: `OPENAI_API_KEY=sk-...` and `OPENAI_MODELS=gpt-4o-mini`',
  '- **Anthropic**: `ANTHROPIC_API_KEY=sk-ant-...` and `ANTHROPIC_MODELS=claude-haiku-4-5`',
  '- **Ollama, vLLM, LM Studio** (any OpenAI-compatible server): `OPENAI_COMPATIBLE_BASE_URL=http://localhost:11434/v1` and `OPENAI_COMPATIBLE_MODELS=llama3.1`',
  '',
  'The new models then appear in the model list, for the plans that include them.',
].join('\n');

const LONG = [
  "You asked for a long answer, so here is more. Replies stream to you token by token over Server-Sent Events, in the format that the AI SDK's useChat hook reads. Every reply is stored as it ends: complete, stopped when you press stop, or failed when the provider breaks off, and the text written so far is kept in each case.",
  'Stopping a reply cancels the call to the provider at once, so no more tokens are generated or counted after that point. The tokens that were used are still recorded, exactly once, against your monthly allowance: a stopped reply costs what it produced and no more.',
  'Each plan has a monthly token limit and a list of models. Before a model is called, the server reserves the most the request could use; when the reply ends it records what was really used, so the limit holds even when many requests run at the same time on several servers.',
  "Long conversations are trimmed before they are sent: the oldest messages are left out first, while the system prompt and your newest message are always kept, so that the prompt and the longest possible reply fit in the model's context window.",
  'Replies are written in Markdown, so they can hold lists, tables and code. A short list:\n\n1. Conversations can be renamed, pinned, archived and searched.\n2. Any reply can be regenerated, and any of your messages edited and sent again.\n3. A conversation can be exported as Markdown or JSON.',
  'And a piece of code, showing how a program streams a reply from this server:\n\n```ts\nconst response = await fetch("/api/chat", {\n  method: "POST",\n  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },\n  body: JSON.stringify({ model: "demo", content: "Hello!" }),\n});\n// Server-Sent Events: one JSON part per line, text-delta parts carry the reply.\n```',
  'Each conversation can carry its own system prompt, which is sent with every request in that conversation: use it to set a tone, a language or a role. The demo model only reports that it received one; a real model follows it.',
  'That is the end of this long demo reply. Ask anything else and the demo model will describe what it received again.',
].join('\n\n');

export function composeDemoReply(input: DemoInput): string {
  const last = [...input.messages].reverse().find((m) => m.role === 'user');
  const earlier = input.messages.length - (last ? 1 : 0);
  const lines = [
    'Hello! I am the **demo model**, built into this server: I run offline and never call an AI provider, so the same message always gets the same reply.',
    '',
    last ? `You wrote (${countTextTokens(last.content)} tokens): "${quote(last.content, 280)}"` : 'I received no message from you.',
    `The prompt I was sent holds ${earlier} earlier message${earlier === 1 ? '' : 's'}${input.system ? ` and this system prompt: "${quote(input.system, 120)}"` : ' and no system prompt'}, ${demoPromptTokens(input)} tokens in all.`,
    '',
    CONFIGURE,
  ];
  if (last && /\blong\b/i.test(last.content)) lines.push('', LONG);
  return lines.join('\n');
}
