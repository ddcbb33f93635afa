// Preloaded (`node --import`) into a measured child when GNU time is unavailable: reports the
// process's peak RSS (KiB, from getrusage) to the file named by SFGEN_BENCH_RSS_FILE at exit.
import { writeFileSync } from 'node:fs';

const file = process.env.SFGEN_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // The measurement is lost, not the child's exit status.
    }
  });
}
