// Turns a catalogue entry into an AI SDK language model. Provider clients are made once, from the
// operator's settings only: a request chooses a model id, never a URL or a key.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { ModelSpec, ProviderSettings } from '../../models/models.types.js';
import { DemoLanguageModel } from './demo-model.js';
import type { LanguageModelV3 } from './language-model.js';

export type LanguageModelFor = (model: ModelSpec) => LanguageModelV3;

export function createLanguageModelRegistry(settings: ProviderSettings): LanguageModelFor {
  const demo = new DemoLanguageModel(settings.demo.tokenDelayMs);
  const openai = settings.openai && createOpenAI({ apiKey: settings.openai.apiKey, baseURL: settings.openai.baseURL });
  const anthropic = settings.anthropic && createAnthropic({ apiKey: settings.anthropic.apiKey, baseURL: settings.anthropic.baseURL });
  const compatible =
    settings.openaiCompatible &&
    createOpenAICompatible({
      name: 'openai-compatible',
      baseURL: settings.openaiCompatible.baseURL,
      apiKey: settings.openaiCompatible.apiKey,
      // Asks for the final usage chunk (stream_options.include_usage), so usage is the server's count.
      includeUsage: true,
    });

  return (model) => {
    switch (model.provider) {
      case 'demo':
        return demo;
      // The Chat Completions API: the one every OpenAI-compatible server also speaks.
      case 'openai':
        if (openai) return openai.chat(model.providerModel);
        break;
      case 'anthropic':
        if (anthropic) return anthropic.messages(model.providerModel);
        break;
      case 'openai-compatible':
        if (compatible) return compatible.chatModel(model.providerModel);
        break;
    }
    // config.ts refuses a model whose provider is not configured, so this is a programming error.
    throw new Error(`provider ${model.provider} of model ${model.id} is not configured`);
  };
}
