import * as z from 'zod';

/**
 * Keywords outside the subset every structured-output provider accepts (OpenAI strict mode
 * rejects some, Anthropic strips most). They move into the description so the model still reads
 * them; Zod keeps enforcing them on the way back.
 */
const CONSTRAINT_WORDS: Record<string, (v: unknown) => string> = {
  minimum: (v) => `minimum ${String(v)}`,
  maximum: (v) => `maximum ${String(v)}`,
  exclusiveMinimum: (v) => `greater than ${String(v)}`,
  exclusiveMaximum: (v) => `less than ${String(v)}`,
  minLength: (v) => (v === 1 ? 'non-empty' : `at least ${String(v)} characters`),
  maxLength: (v) => `at most ${String(v)} characters`,
  minItems: (v) => `at least ${String(v)} items`,
  maxItems: (v) => `at most ${String(v)} items`,
  pattern: (v) => `matching ${String(v)}`,
  format: (v) => `format ${String(v)}`,
};

function sanitize(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((n, i) => sanitize(n, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === '$schema') continue;
    const describe = CONSTRAINT_WORDS[key];
    if (describe && typeof value !== 'object') {
      notes.push(describe(value));
      continue;
    }
    out[key] = sanitize(value, `${path}.${key}`);
  }
  if (out['type'] === 'object' && out['properties']) {
    const properties = Object.keys(out['properties'] as object);
    const required = new Set((out['required'] as string[] | undefined) ?? []);
    const optional = properties.filter((p) => !required.has(p));
    // Strict structured output needs every property required: optional fields must be nullable instead.
    if (optional.length > 0) throw new TypeError(`schema ${path}: optional properties ${optional.join(', ')} — make them nullable`);
    out['additionalProperties'] = false;
  }
  if (notes.length > 0) {
    const base = typeof out['description'] === 'string' ? `${out['description']} ` : '';
    out['description'] = `${base}(${notes.join(', ')})`.trim();
  }
  return out;
}

/** One Zod schema, sent to the provider as a JSON Schema in the common strict subset. */
export function toProviderJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' });
  const clean = sanitize(json, '$') as Record<string, unknown>;
  if (clean['type'] !== 'object') throw new TypeError('structured output root must be an object');
  return clean;
}
