import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, vi, type MockInstance } from 'vitest';

/**
 * msw intercepting the SDKs' HTTP for one test file, plus a working directory without a .env (so
 * no developer's real key can leak into a test). The Anthropic SDK console.warns about deprecated
 * models straight to the process stderr; that is captured, so it neither clutters the output nor
 * goes unnoticed (`consoleWarn()`).
 */
export function mswHarness(prefix: string) {
  const server = setupServer();
  let cwd = '';
  let consoleWarn: MockInstance<typeof console.warn> | undefined;
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    cwd = mkdtempSync(join(tmpdir(), prefix));
  });
  beforeEach(() => {
    consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    server.resetHandlers();
    consoleWarn?.mockRestore();
  });
  afterAll(() => {
    server.close();
    rmSync(cwd, { recursive: true, force: true });
  });
  return { server, cwd: () => cwd, consoleWarn: () => consoleWarn! };
}
