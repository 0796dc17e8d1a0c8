import { describe, expect, it } from 'vitest';
import { boundedLogLines, MAX_LOG_ANSWER_CHARS, MAX_LOG_LINE_CHARS } from '../../electron/docker/log-stream.js';

describe("a tenant log answer's bounds", () => {
  it('cuts a line over the limit and says how much was cut', () => {
    const [line] = boundedLogLines(['x'.repeat(MAX_LOG_LINE_CHARS + 500)]);
    expect(line).toBe(`${'x'.repeat(MAX_LOG_LINE_CHARS)} … (500 characters cut)`);
  });

  it('keeps the newest lines that fit in one answer, in order', () => {
    const lines = Array.from({ length: 600 }, (_, i) => `${String(i).padStart(4, '0')} ${'y'.repeat(MAX_LOG_LINE_CHARS)}`);
    const kept = boundedLogLines(lines);
    expect(kept.reduce((n, l) => n + l.length + 1, 0)).toBeLessThanOrEqual(MAX_LOG_ANSWER_CHARS);
    expect(kept.length).toBeGreaterThan(200);
    expect(kept.at(-1)!.startsWith('0599 ')).toBe(true);
    expect(kept.map((l) => Number(l.slice(0, 4)))).toEqual(Array.from({ length: kept.length }, (_, i) => 600 - kept.length + i));
  });

  it('leaves ordinary lines alone', () => {
    expect(boundedLogLines(['a', 'b'])).toEqual(['a', 'b']);
  });
});
