import { pino, type Logger } from 'pino';
import { redactSecrets } from '../errors/index.js';
import type { OutStream } from './io.js';

/**
 * pino on stderr (stdout carries only the report). Key-shaped strings and the run's own key
 * values are masked in every line, whatever field they ended up in.
 */
export function createLogger(level: string, stderr: OutStream, secrets: readonly string[] = []): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['apiKey', '*.apiKey', 'headers.authorization', 'headers["x-api-key"]'], censor: '[redacted]' },
    },
    { write: (line: string) => stderr.write(redactSecrets(line, secrets)) },
  );
}
