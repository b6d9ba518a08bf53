import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';

/**
 * The environment with `.env` (in the working directory) filled in underneath: variables already
 * set in the real environment win, as with dotenv's defaults. process.env itself is not touched.
 */
export function environmentWithDotenv(env: Record<string, string | undefined>, cwd: string): Record<string, string | undefined> {
  let fileVars: Record<string, string> = {};
  try {
    fileVars = parse(readFileSync(join(cwd, '.env'), 'utf8'));
  } catch {
    // No .env is the normal case.
  }
  return { ...fileVars, ...env };
}
