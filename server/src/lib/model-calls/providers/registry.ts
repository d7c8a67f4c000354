// Turns a catalogue entry into the provider that calls it. Providers are made once, from the
// operator's settings only: a request chooses a model id, never a URL or a key.
import type { ModelSpec, ProviderSettings } from '../model-spec.js';
import { createAnthropicProvider } from './anthropic-messages.js';
import { createDemoProvider } from './demo-model.js';
import { createOpenAiChatProvider } from './openai-chat.js';
import type { Provider } from './upstream.js';

export type ProviderFor = (model: ModelSpec) => Provider;

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';

export function createProviderRegistry(settings: ProviderSettings): ProviderFor {
  const providers: Partial<Record<ModelSpec['provider'], Provider>> = {
    demo: createDemoProvider(settings.demo.tokenDelayMs),
    ...(settings.openai && {
      openai: createOpenAiChatProvider({
        baseUrl: settings.openai.baseURL ?? OPENAI_BASE_URL,
        apiKey: settings.openai.apiKey,
        outputCapField: 'max_completion_tokens',
      }),
    }),
    ...(settings.anthropic && {
      anthropic: createAnthropicProvider({ baseUrl: settings.anthropic.baseURL ?? ANTHROPIC_BASE_URL, apiKey: settings.anthropic.apiKey }),
    }),
    ...(settings.openaiCompatible && {
      'openai-compatible': createOpenAiChatProvider({
        baseUrl: settings.openaiCompatible.baseURL,
        apiKey: settings.openaiCompatible.apiKey,
        outputCapField: 'max_tokens',
      }),
    }),
  };
  return (model) => {
    const provider = providers[model.provider];
    // config.ts refuses a model whose provider is not configured, so this is a programming error.
    if (!provider) throw new Error(`provider ${model.provider} of model ${model.id} is not configured`);
    return provider;
  };
}
