import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

/** Limits a provider advertised for one model on one endpoint, as last seen. */
export interface RememberedLimits {
  rpm?: number;
  tpm?: number;
  /** Whether the token limit counts input + output cap ('total', OpenAI) or input only. */
  tokenCounts?: 'total' | 'input';
}

const Entry = z.object({
  rpm: z.number().positive().optional(),
  tpm: z.number().positive().optional(),
  tokenCounts: z.enum(['total', 'input']).optional(),
  seenAt: z.string(),
});
const MemoryFile = z.object({ version: z.literal(1), limits: z.record(z.string(), Entry) });

/** Older than this, a remembered limit is not trusted: tiers change, keys get upgraded. */
const FRESH_FOR_MS = 24 * 3_600_000;

/**
 * The rate limits providers advertised, kept between runs (`rate-limits.json` next to the
 * archive). Each `assess run` is a new process; without this, every run would start knowing no
 * limit and send its first wave of desks in one burst — on a low-tier key, straight into 429s —
 * before the first response's headers said what the limit is. Remembered limits are only a
 * starting point: the headers of the run's own responses replace them at once.
 *
 * Best effort by design: a missing, unreadable or corrupt file is an empty memory, and a failed
 * save is reported, never fatal.
 */
export class RateLimitMemory {
  /** Something new to save: an unchanged memory is not rewritten (nor its folder created). */
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, z.infer<typeof Entry>>,
    private readonly now: () => number,
  ) {}

  static async load(file: string, now: () => number = Date.now): Promise<RateLimitMemory> {
    let entries = new Map<string, z.infer<typeof Entry>>();
    try {
      const parsed = MemoryFile.safeParse(JSON.parse(await readFile(file, 'utf8')), ONE_SHOT_PARSE);
      if (parsed.success) entries = new Map(Object.entries(parsed.data.limits));
    } catch {
      // First run, or a file we cannot read: start from nothing.
    }
    return new RateLimitMemory(file, entries, now);
  }

  /** `endpoint` is the base URL in use (or `default`): the same model behind a gateway has other limits. */
  static key(provider: string, endpoint: string, model: string): string {
    return `${provider} ${endpoint} ${model}`;
  }

  recall(key: string): RememberedLimits | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - Date.parse(entry.seenAt) > FRESH_FOR_MS) return undefined;
    const { seenAt: _seenAt, ...limits } = entry;
    return limits;
  }

  remember(key: string, limits: RememberedLimits): void {
    if (limits.rpm === undefined && limits.tpm === undefined) return;
    this.entries.set(key, { ...limits, seenAt: new Date(this.now()).toISOString() });
    this.dirty = true;
  }

  /** Writes the file atomically (a concurrent run never reads half of it); returns the error, if any. */
  async save(): Promise<Error | null> {
    if (!this.dirty) return null;
    const body = JSON.stringify({ version: 1, limits: Object.fromEntries(this.entries) }, null, 1);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(temp, body);
      await rename(temp, this.file);
      this.dirty = false;
      return null;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}
