// The built-in "demo" model: a Provider like the remote ones, so it goes through admission,
// metering, abort and storage exactly as they do. It streams word by word at a set pace, stops at
// the output cap, stops at once when aborted, and reports usage counted with gpt-tokenizer.
import { countTextTokens } from '../tokenizer.js';
import { composeDemoReply, demoPromptTokens } from './demo-reply.js';
import type { Provider, UpstreamRequest } from './upstream.js';

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Cuts the reply into words (with their trailing space) and keeps those that fit the cap. */
export function planDemoReply(request: Pick<UpstreamRequest, 'system' | 'messages' | 'maxOutputTokens'>) {
  const input = { system: request.system, messages: request.messages };
  const pieces = composeDemoReply(input).match(/\S+\s*|\s+/g) ?? [];
  const kept: string[] = [];
  let tokens = 0;
  for (const piece of pieces) {
    const cost = countTextTokens(piece);
    if (tokens + cost > request.maxOutputTokens) break;
    kept.push(piece);
    tokens += cost;
  }
  return { inputTokens: demoPromptTokens(input), pieces: kept, truncated: kept.length < pieces.length };
}

export function createDemoProvider(tokenDelayMs: number): Provider {
  return {
    call(request, handlers) {
      const { signal } = request;
      if (signal.aborted) return Promise.reject(abortReason(signal));
      const { inputTokens, pieces, truncated } = planDemoReply(request);
      const result = () => ({
        finishReason: truncated ? ('length' as const) : ('stop' as const),
        usage: { inputTokens, outputTokens: countTextTokens(pieces.join('')) },
      });
      handlers.onStart();
      if (!request.stream) {
        handlers.onText(pieces.join(''));
        return Promise.resolve(result());
      }
      return new Promise((resolve, reject) => {
        let index = 0;
        let timer: NodeJS.Timeout | undefined;
        // Abort ends the reply at once, even between two words, as a cut connection would.
        const onAbort = () => {
          clearTimeout(timer);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const next = () => {
          if (index >= pieces.length) {
            signal.removeEventListener('abort', onAbort);
            return resolve(result());
          }
          handlers.onText(pieces[index++]!);
          timer = setTimeout(next, tokenDelayMs);
        };
        next();
      });
    },
  };
}
