// The built-in "demo" model: a real LanguageModelV3, so it goes through streamText, abort, usage
// and metering exactly like a remote provider. It streams word by word at a set pace, stops at
// maxOutputTokens, errors at once when aborted, and reports usage counted with gpt-tokenizer.
import { randomUUID } from 'node:crypto';
import { countTextTokens } from '../tokens.js';
import { composeDemoReply, demoPromptTokens, readDemoInput } from './demo-reply.js';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from './language-model.js';

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function usage(inputTokens: number, outputTokens: number): LanguageModelV3Usage {
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}

/** Cuts the reply into words (with their trailing space) and keeps those that fit the cap. */
function plan(options: LanguageModelV3CallOptions) {
  const input = readDemoInput(options.prompt);
  const pieces = composeDemoReply(input).match(/\S+\s*|\s+/g) ?? [];
  const cap = options.maxOutputTokens ?? Number.POSITIVE_INFINITY;
  const kept: string[] = [];
  let tokens = 0;
  for (const piece of pieces) {
    const cost = countTextTokens(piece);
    if (tokens + cost > cap) break;
    kept.push(piece);
    tokens += cost;
  }
  return { inputTokens: demoPromptTokens(input), pieces: kept, truncated: kept.length < pieces.length };
}

export class DemoLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'demo';
  readonly modelId = 'demo';
  readonly supportedUrls = {};

  constructor(private readonly tokenDelayMs: number) {}

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    if (options.abortSignal?.aborted) throw abortError(options.abortSignal);
    const { inputTokens, pieces, truncated } = plan(options);
    const text = pieces.join('');
    return {
      content: [{ type: 'text', text }],
      finishReason: { unified: truncated ? 'length' : 'stop', raw: truncated ? 'length' : 'stop' },
      usage: usage(inputTokens, countTextTokens(text)),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const signal = options.abortSignal;
    if (signal?.aborted) throw abortError(signal);
    const { inputTokens, pieces, truncated } = plan(options);
    const delay = this.tokenDelayMs;
    let index = 0;
    let emitted = '';
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    let onAbort: (() => void) | undefined;

    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        // Abort errors the stream right away, even between two words, as a cut connection would.
        onAbort = () => {
          clearTimeout(timer);
          wake?.();
          try {
            controller.error(abortError(signal!));
          } catch {
            // already closed
          }
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        controller.enqueue({ type: 'stream-start', warnings: [] });
        controller.enqueue({ type: 'response-metadata', id: `demo-${randomUUID()}`, modelId: 'demo', timestamp: new Date() });
        controller.enqueue({ type: 'text-start', id: '0' });
      },
      async pull(controller) {
        if (index >= pieces.length) {
          signal?.removeEventListener('abort', onAbort!);
          controller.enqueue({ type: 'text-end', id: '0' });
          controller.enqueue({
            type: 'finish',
            finishReason: { unified: truncated ? 'length' : 'stop', raw: truncated ? 'length' : 'stop' },
            usage: usage(inputTokens, countTextTokens(emitted)),
          });
          controller.close();
          return;
        }
        if (delay > 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, delay);
          });
        }
        if (signal?.aborted) return; // the abort listener has errored the stream
        const piece = pieces[index++]!;
        emitted += piece;
        controller.enqueue({ type: 'text-delta', id: '0', delta: piece });
      },
      cancel() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort!);
      },
    });
    return { stream };
  }
}
