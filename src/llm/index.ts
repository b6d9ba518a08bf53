export type { ChatMessage, StructuredRequest, StructuredModel, ModelResponse, FinishReason, TokenUsage } from './types.js';
export { toProviderJsonSchema } from './json-schema.js';
export { extractJsonText, safeParseJson } from './extract-json.js';
export { withRetry, retryDelay, abortableSleep, DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep } from './retry.js';
export { parseRetryAfter, isRetryableStatus, toProviderError } from './provider-errors.js';
export { estimateCostUsd } from './pricing.js';
export {
  generateObject,
  formatIssues,
  type CallRecord,
  type GenerateRequest,
  type GenerateResult,
  type GenerateHooks,
} from './generate-object.js';
export { OpenAIModel, type OpenAIModelOptions } from './openai-model.js';
export { AnthropicModel, type AnthropicModelOptions } from './anthropic-model.js';
export { ReplayModel, RecordingSchema, ReplayManifestSchema, recordingFileName } from './replay-model.js';
