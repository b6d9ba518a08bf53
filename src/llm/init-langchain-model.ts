import { InputError } from '../errors/index.js';
import { LangChainModel, type StructuredOutputChoice } from './langchain-model.js';
import { parseLangChainSpec, type LangChainSpec } from './langchain-spec.js';
import { LOCAL_SERVER_KEY } from './sdk-client-options.js';

/** Our own settings the integrations get explicitly, so nothing depends on what process.env holds. */
export interface LangChainSettings {
  openai: { apiKey?: string | undefined; baseURL?: string | undefined };
  anthropic: { apiKey?: string | undefined; baseURL?: string | undefined };
  ollama: { baseURL?: string | undefined };
  /** The output cap a model starts with; each request's own cap replaces it per call. */
  maxOutputTokens: number;
  /** Injected in tests; defaults to the global fetch (which msw intercepts). */
  fetch?: typeof fetch;
}

/** The SDK's own timeout is only a backstop: every call carries its own AbortSignal with the real limit. */
const BACKSTOP_TIMEOUT_MS = 60 * 60 * 1000;

interface IntegrationSetup {
  fields: Record<string, unknown>;
  structuredOutput: StructuredOutputChoice;
  /** The constructor field that caps output tokens, made configurable per call. */
  outputCapField: string;
  apiKey?: string;
}

/**
 * Per integration: its constructor fields and the structured-output method that keeps the answer
 * raw for generateObject.
 * - openai: `jsonSchema` (strict `response_format: json_schema`, as the openai provider sends);
 *   `__includeRawResponse` because LangChain otherwise drops `message.refusal`.
 * - anthropic: `functionCalling` (a forced tool call), ChatAnthropic's default and supported by
 *   every Claude model; its `jsonSchema` needs the newer structured-output API.
 * - ollama: `jsonSchema` (Ollama's `format: <schema>`); small local models follow a format far
 *   better than they call tools.
 * - anything else: the integration's own default method.
 */
function setupFor(spec: LangChainSpec, settings: LangChainSettings): IntegrationSetup {
  const cap = settings.maxOutputTokens;
  const fetchOption = settings.fetch ? { fetch: settings.fetch } : {};
  switch (spec.integration) {
    case 'openai': {
      const { apiKey, baseURL } = settings.openai;
      return {
        fields: {
          apiKey: apiKey ?? LOCAL_SERVER_KEY,
          configuration: { ...(baseURL ? { baseURL } : {}), ...fetchOption },
          timeout: BACKSTOP_TIMEOUT_MS,
          maxTokens: cap,
          __includeRawResponse: true,
        },
        structuredOutput: { method: 'jsonSchema', strict: true },
        outputCapField: 'maxTokens',
        ...(apiKey ? { apiKey } : {}),
      };
    }
    case 'anthropic': {
      const { apiKey, baseURL } = settings.anthropic;
      return {
        fields: { ...(apiKey ? { apiKey } : {}), ...(baseURL ? { anthropicApiUrl: baseURL } : {}), clientOptions: { ...fetchOption, timeout: BACKSTOP_TIMEOUT_MS }, maxTokens: cap },
        structuredOutput: { method: 'functionCalling' },
        outputCapField: 'maxTokens',
        ...(apiKey ? { apiKey } : {}),
      };
    }
    case 'ollama':
      return {
        fields: { ...(settings.ollama.baseURL ? { baseUrl: settings.ollama.baseURL } : {}), numPredict: cap },
        structuredOutput: { method: 'jsonSchema' },
        outputCapField: 'numPredict',
      };
    case 'google-genai':
      return { fields: { maxOutputTokens: cap }, structuredOutput: {}, outputCapField: 'maxOutputTokens' };
    default:
      return { fields: { maxTokens: cap }, structuredOutput: {}, outputCapField: 'maxTokens' };
  }
}

/** First line of whatever was thrown. */
const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * Builds the chat model for `spec` (`ollama:llama3.1`) through LangChain's initChatModel, which
 * imports the integration package at once: a missing package is an InputError naming it here,
 * before any call. LangChain is imported only now, so commands that never use it never load it.
 */
export async function createLangChainModel(spec: string, settings: LangChainSettings): Promise<LangChainModel> {
  const { initChatModel, MODEL_PROVIDER_CONFIG } = await import('langchain/chat_models/universal');
  const integrations = MODEL_PROVIDER_CONFIG as Record<string, { package: string }>;
  const parsed = parseLangChainSpec(spec);
  if (!parsed || !Object.hasOwn(integrations, parsed.integration)) {
    throw new InputError(
      `langchain model ${JSON.stringify(spec)} must be integration:model with integration one of ${Object.keys(integrations).join(', ')} (e.g. ollama:llama3.1)`,
    );
  }
  const setup = setupFor(parsed, settings);
  try {
    const chat = await initChatModel(spec, {
      ...setup.fields,
      // withRetry is the one retry layer; LangChain would otherwise retry 6 times on its own.
      maxRetries: 0,
      configurableFields: [setup.outputCapField],
    });
    return new LangChainModel({
      spec,
      chat,
      structuredOutput: setup.structuredOutput,
      outputCapField: setup.outputCapField,
      ...(setup.apiKey ? { apiKey: setup.apiKey } : {}),
    });
  } catch (error) {
    // initChatModel: "Unable to import @langchain/ollama. Please install with `npm install …`".
    const line = firstLine(error);
    const missing = /Unable to import (\S+?)\.? Please install/.exec(line)?.[1] ?? /Cannot find (?:package|module) '([^']+)'/.exec(line)?.[1];
    if (missing) {
      throw new InputError(`langchain provider ${parsed.integration} needs the package ${missing}: npm install ${missing}`, { cause: error });
    }
    throw new InputError(`langchain model ${spec} could not be set up: ${line}`, { cause: error });
  }
}
