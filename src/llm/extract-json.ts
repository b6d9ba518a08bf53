/**
 * Finds the JSON object in model text. Servers that ignore json_schema (some Ollama and vLLM
 * builds) wrap it in ```json fences or add a sentence before it; the object inside is still usable.
 */
export function extractJsonText(text: string): string {
  const trimmed = text.trim().replace(/^\uFEFF/, '');
  // A bare object comes first: valid JSON may itself quote a fenced block inside a string.
  if (trimmed.startsWith('{') && isJson(trimmed)) return trimmed;
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)\n?```/.exec(trimmed);
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  return start !== -1 && end > start ? trimmed.slice(start, end + 1) : trimmed;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

export function safeParseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(extractJsonText(text)) };
  } catch (error) {
    return { ok: false, error: `output is not valid JSON: ${(error as Error).message}` };
  }
}
