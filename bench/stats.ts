// Small helpers shared by the benchmarks: timing, percentiles, and the --json/--quick flags.

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
