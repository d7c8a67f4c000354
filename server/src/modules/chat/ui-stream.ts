// The reply as an AI SDK UI message stream (SSE, `x-vercel-ai-ui-message-stream: v1`), so that
// @ai-sdk/react's useChat reads it as is and `curl -N` shows it. The parts, in order:
//   start (messageId = stored assistant message; metadata: conversation_id, user_message_id, model)
//   data-conversation {id, title}
//   text-start, text-delta..., text-end
//   message-metadata {status, usage}
//   finish                          -- or, when the reply failed: error {errorText}
// and then `data: [DONE]`.
import { Readable } from 'node:stream';
import { createUIMessageStream, JsonToSseTransformStream, UI_MESSAGE_STREAM_HEADERS } from 'ai';

export const CHAT_STREAM_HEADERS = UI_MESSAGE_STREAM_HEADERS;

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
  deltas: AsyncIterable<string>;
  /** Waits for the reply to end and be stored and metered; never rejects. */
  end: () => Promise<ReplyEnd>;
}

export function createChatStream(input: ChatStreamInput): Readable {
  const textId = `text-${input.assistantMessageId}`;
  const parts = createUIMessageStream({
    execute: async ({ writer }) => {
      writer.write({
        type: 'start',
        messageId: input.assistantMessageId,
        messageMetadata: { conversation_id: input.conversation.id, user_message_id: input.userMessageId, model: input.model },
      });
      writer.write({ type: 'data-conversation', data: { id: input.conversation.id, title: input.conversation.title } });
      writer.write({ type: 'text-start', id: textId });
      for await (const delta of input.deltas) writer.write({ type: 'text-delta', id: textId, delta });
      const end = await input.end();
      writer.write({ type: 'text-end', id: textId });
      writer.write({ type: 'message-metadata', messageMetadata: { status: end.status, usage: end.usage } });
      if (end.status === 'failed') writer.write({ type: 'error', errorText: end.errorText ?? 'The reply failed.' });
      else writer.write({ type: 'finish', finishReason: end.finishReason });
    },
    // Only reached by a bug in execute: never show its message.
    onError: () => 'The reply could not be completed.',
  });
  return Readable.fromWeb(parts.pipeThrough(new JsonToSseTransformStream()).pipeThrough(new TextEncoderStream()) as import('node:stream/web').ReadableStream);
}
