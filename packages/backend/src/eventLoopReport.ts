import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * For the benchmark: with LEARNING_LOOP_EVENT_LOOP_FILE set, appends this process's event-loop delay every second
 * to that file as a JSON line `{ at, p50, p99, max }` (milliseconds), so that a statement that holds the event loop
 * (better-sqlite3 runs on it) shows. Off otherwise.
 */
export function reportEventLoopDelay(
  file = process.env.LEARNING_LOOP_EVENT_LOOP_FILE,
) {
  if (!file) return;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  setInterval(() => {
    appendFileSync(
      file,
      `${JSON.stringify({
        at: Date.now(),
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      })}\n`,
    );
    histogram.reset();
  }, 1000).unref();
}
