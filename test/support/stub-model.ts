import type { ModelResponse, StructuredModel, StructuredRequest } from '../../src/llm/types.js';

/**
 * A model that answers its n-th request with the n-th answer (the last one repeats), or throws it
 * when it is an Error, and keeps every request it was sent so tests can read the prompts.
 */
export function stubModel(...answers: (unknown | Error)[]): StructuredModel & { requests: StructuredRequest[] } {
  const requests: StructuredRequest[] = [];
  return {
    provider: 'stub',
    model: 'stub-1',
    requests,
    complete: async (request: StructuredRequest): Promise<ModelResponse> => {
      requests.push(request);
      const answer = answers[Math.min(requests.length, answers.length) - 1];
      if (answer instanceof Error) throw answer;
      const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
      return { text, finishReason: 'stop', rawFinishReason: 'stop', usage: { inputTokens: 300, outputTokens: 40 }, model: 'stub-1' };
    },
  };
}
