// Preloaded (`node --import`) into a measured child when GNU time is unavailable: reports the
// process's peak RSS (KiB, from getrusage) and CPU time to the file named by SFGEN_BENCH_RSS_FILE at exit.
import { writeFileSync } from 'node:fs';

const file = process.env.SFGEN_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      // Same line as GNU time's `%M %U %S`: KiB, user seconds, system seconds.
      writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime / 1e6} ${usage.systemCPUTime / 1e6}\n`);
    } catch {
      // The measurement is lost, not the child's exit status.
    }
  });
}
