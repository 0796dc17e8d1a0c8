// Small helpers shared by the benchmarks: timing, percentiles, the --json/--quick flags, and
// running one with its cleanup.

export const args = new Set(process.argv.slice(2));
export const quick = args.has('--quick');
export const json = args.has('--json');

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function timeEach(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Human lines on stderr; with --json the last line on stdout is one JSON object. */
export function report(lines: string[], result: Record<string, unknown>): void {
  for (const line of lines) process.stderr.write(`${line}\n`);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Makes a benchmark's cleanup (containers, tenants, the testbed) run exactly once: when the
 * returned function is called (from a finally), or on SIGINT/SIGTERM, which then exit with 130.
 */
export function cleanupOnce(bench: string, cleanup: () => Promise<void>): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const once = () => (cleaning ??= cleanup());
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`bench:${bench}: ${signal}, cleaning up\n`);
    void once().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return once();
  };
}

/** Runs a benchmark's main; a failure is reported on stderr with exit code 1. */
export function runBench(bench: string, main: () => Promise<void>): void {
  main().catch((error: Error) => {
    process.stderr.write(`bench:${bench} failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
