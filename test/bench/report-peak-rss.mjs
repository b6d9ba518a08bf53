// Loaded with `node --import` into a CLI process under benchmark: at exit, writes the process's
// peak RSS (KiB) and CPU time (µs) to $BENCH_PROCESS_FILE as JSON. Plain JavaScript so the
// compiled CLI runs without a TypeScript loader, exactly as it ships.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PROCESS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, userCpuUs: usage.userCPUTime, systemCpuUs: usage.systemCPUTime }));
  });
}
