/**
 * Finds the JSON object in model text that is not bare JSON. Servers that ignore json_schema
 * (some Ollama and vLLM builds) wrap it in ```json fences or add a sentence before it; the
 * object inside is still usable.
 */
export function extractJsonText(text: string): string {
  const trimmed = text.trim().replace(/^\uFEFF/, '');
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)\n?```/.exec(trimmed);
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  return start !== -1 && end > start ? trimmed.slice(start, end + 1) : trimmed;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Bare JSON first — valid JSON may itself quote a fenced block inside a string, so unwrapping
 * is only tried when the text as given does not parse.
 */
export function safeParseJson(text: string): JsonParseResult {
  const trimmed = text.trim().replace(/^\uFEFF/, '');
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch (bare) {
    const inner = extractJsonText(trimmed);
    if (inner === trimmed) return { ok: false, error: `output is not valid JSON: ${(bare as Error).message}` };
    try {
      return { ok: true, value: JSON.parse(inner) };
    } catch (error) {
      return { ok: false, error: `output is not valid JSON: ${(error as Error).message}` };
    }
  }
}
