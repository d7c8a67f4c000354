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
import { createSseWriter } from '../../lib/model-calls/sse.js';
import type { ReplyFeed } from './live-replies.js';

// No `connection` header: Node keeps an HTTP/1.1 connection alive by itself, and closes it when the
// client asked to; naming keep-alive here overrode a client's `Connection: close`.
export const CHAT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};

/**
 * The stream of one reader of a reply: the reply so far, then each piece, then its end. A reader
 * that attaches later (a reload, a second tab) gets the same parts from the start, the text so
 * far as one delta; useChat replays it over the message it shows (resumeStreamIsReplay).
 * `detach` aborts when this reader goes away: the reply itself goes on.
 */
export function createChatStream(feed: ReplyFeed, detach: AbortSignal): Readable {
  const { header } = feed;
  const sse = createSseWriter();
  const textId = `text-${header.assistantMessageId}`;
  const send = (part: object) => sse.data(JSON.stringify(part));
  send({
    type: 'start',
    messageId: header.assistantMessageId,
    messageMetadata: { conversation_id: header.conversation.id, user_message_id: header.userMessageId, model: header.model },
  });
  send({ type: 'data-conversation', data: { id: header.conversation.id, title: header.conversation.title } });
  send({ type: 'text-start', id: textId });
  // The one part sent per piece: only the text is serialised each time.
  const deltaPrefix = `{"type":"text-delta","id":${JSON.stringify(textId)},"delta":`;
  const unsubscribe = feed.subscribe({
    text: (piece) => sse.data(`${deltaPrefix}${JSON.stringify(piece)}}`),
    end(end) {
      send({ type: 'text-end', id: textId });
      send({ type: 'message-metadata', messageMetadata: { status: end.status, usage: end.usage } });
      if (end.status === 'failed') send({ type: 'error', errorText: end.errorText ?? 'The reply failed.' });
      else send({ type: 'finish', finishReason: end.finishReason });
      sse.end();
    },
  });
  detach.addEventListener('abort', unsubscribe, { once: true });
  return sse.body;
}
