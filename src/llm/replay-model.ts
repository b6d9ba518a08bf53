import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { ProviderError } from '../errors/index.js';
import type { ModelResponse, StructuredModel, StructuredRequest } from './types.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

/** One recorded model answer. `output` is the object the model returned; `text` a raw answer instead. */
export const RecordingSchema = z
  .object({
    model: z.string().min(1),
    usage: z.object({ inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() }),
    latencyMs: z.number().nonnegative().optional(),
    finishReason: z.enum(['stop', 'length', 'refusal']).default('stop'),
    output: z.unknown().optional(),
    text: z.string().optional(),
  })
  .refine((r) => r.output !== undefined || r.text !== undefined, { message: 'a recording needs output or text' });

/** `fixtures/replay/<name>/manifest.json` says which event a folder of recordings answers. */
export const ReplayManifestSchema = z.object({ eventId: z.string().regex(/^[0-9a-f]{16}$/), eventFile: z.string() });

/** `desk/JP-01` → `desk-JP-01.json`. */
export function recordingFileName(purpose: string): string {
  return `${purpose.replace(/[^A-Za-z0-9_-]+/g, '-')}.json`;
}

/**
 * Answers from recorded responses so the whole pipeline runs offline (the demo, tests). Requests
 * are matched by scope (event id) and purpose; nothing is generated.
 */
export class ReplayModel implements StructuredModel {
  readonly provider = 'replay';
  readonly model = 'replay';

  private constructor(private readonly folders: Map<string, string>) {}

  /** Indexes every recording folder under `dir` by the event id in its manifest. */
  static async open(dir: string): Promise<ReplayModel> {
    const folders = new Map<string, string>();
    let entries: string[] = [];
    try {
      entries = await readdir(dir);
    } catch {
      // No recordings at all: every request will say so clearly.
    }
    for (const name of entries.sort()) {
      const folder = join(dir, name);
      let manifestText: string;
      try {
        manifestText = await readFile(join(folder, 'manifest.json'), 'utf8');
      } catch {
        continue;
      }
      const manifest = ReplayManifestSchema.safeParse(JSON.parse(manifestText), ONE_SHOT_PARSE);
      if (manifest.success) folders.set(manifest.data.eventId, folder);
    }
    return new ReplayModel(folders);
  }

  get scopes(): string[] {
    return [...this.folders.keys()];
  }

  async complete(request: StructuredRequest): Promise<ModelResponse> {
    if (request.signal.aborted) throw new ProviderError('replay call aborted', { retryable: false });
    const folder = this.folders.get(request.scope);
    if (!folder) {
      throw new ProviderError(`replay: no recordings for event ${request.scope} (replay answers only recorded events)`, {
        retryable: false,
      });
    }
    const file = join(folder, recordingFileName(request.purpose));
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch {
      throw new ProviderError(`replay: no recording for ${request.purpose} (${file})`, { retryable: false });
    }
    const parsed = RecordingSchema.safeParse(JSON.parse(raw), ONE_SHOT_PARSE);
    if (!parsed.success) throw new ProviderError(`replay: ${file} is not a valid recording`, { retryable: false });
    const recording = parsed.data;
    return {
      text: recording.text ?? JSON.stringify(recording.output),
      finishReason: recording.finishReason,
      rawFinishReason: recording.finishReason,
      usage: recording.usage,
      model: recording.model,
    };
  }
}
