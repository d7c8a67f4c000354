// The reply as an AI SDK UI message stream (SSE, `x-vercel-ai-ui-message-stream: v1`), so that
// @ai-sdk/react's useChat reads it as is and `curl -N` shows it. The parts, in order:
//   start (messageId = stored assistant message; metadata: conversation_id, user_message_id, model)
//   data-conversation {id, title}
//   text-start, text-delta..., text-end
//   message-metadata {status, usage}
//   finish                          -- or, when the reply failed: error {errorText}
// and then `data: [DONE]`. Written by hand (the protocol is these few JSON parts): the AI SDK's
// createUIMessageStream pipeline cost more CPU per piece than the rest of the call (decision 010).
import type { Readable } from 'node:stream';
import type { ModelCall } from '../../lib/model-calls/model-call.js';
import { createSseWriter } from '../../lib/model-calls/sse.js';

export const CHAT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};

export interface ReplyEnd {
  status: 'complete' | 'stopped' | 'failed';
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  finishReason: 'stop' | 'length' | 'other';
  /** Safe text for the error part of a failed reply. */
  errorText?: string;
}

export interface ChatStreamInput {
  assistantMessageId: string;
  userMessageId: string;
  conversation: { id: string; title: string | null };
  model: string;
  call: Pick<ModelCall, 'read'>;
  /** Resolves when the reply has ended and is stored and metered; never rejects. */
  end: Promise<ReplyEnd>;
}

export function createChatStream(input: ChatStreamInput): Readable {
  const sse = createSseWriter();
  const textId = `text-${input.assistantMessageId}`;
  const send = (part: object) => sse.data(JSON.stringify(part));
  send({
    type: 'start',
    messageId: input.assistantMessageId,
    messageMetadata: { conversation_id: input.conversation.id, user_message_id: input.userMessageId, model: input.model },
  });
  send({ type: 'data-conversation', data: { id: input.conversation.id, title: input.conversation.title } });
  send({ type: 'text-start', id: textId });
  // The one part sent per piece: only the text is serialised each time.
  const deltaPrefix = `{"type":"text-delta","id":${JSON.stringify(textId)},"delta":`;
  input.call.read((text) => sse.data(`${deltaPrefix}${JSON.stringify(text)}}`));
  void input.end.then((end) => {
    send({ type: 'text-end', id: textId });
    send({ type: 'message-metadata', messageMetadata: { status: end.status, usage: end.usage } });
    if (end.status === 'failed') send({ type: 'error', errorText: end.errorText ?? 'The reply failed.' });
    else send({ type: 'finish', finishReason: end.finishReason });
    sse.end();
  });
  return sse.body;
}
