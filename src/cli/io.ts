/** Everything the CLI touches in the outside world, passed in so tests run it in-process. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C: desks in flight are cancelled, the report shows what finished. */
  signal: AbortSignal;
  /** Injected in tests only; the SDKs use the global fetch otherwise. */
  fetch?: typeof fetch;
}
