// The AI SDK's provider interface (LanguageModelV3, from @ai-sdk/provider), taken through the
// `ai` package's own LanguageModel type so that we depend only on packages we declare.
import type { LanguageModel } from 'ai';

export type LanguageModelV3 = Extract<LanguageModel, { specificationVersion: 'v3' }>;
export type LanguageModelV3CallOptions = Parameters<LanguageModelV3['doStream']>[0];
export type LanguageModelV3StreamResult = Awaited<ReturnType<LanguageModelV3['doStream']>>;
export type LanguageModelV3GenerateResult = Awaited<ReturnType<LanguageModelV3['doGenerate']>>;
export type LanguageModelV3StreamPart = LanguageModelV3StreamResult['stream'] extends ReadableStream<infer P> ? P : never;
export type LanguageModelV3Prompt = LanguageModelV3CallOptions['prompt'];
export type LanguageModelV3Usage = LanguageModelV3GenerateResult['usage'];
