import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, UsageError } from '../../src/util/args.js';

describe('durations', () => {
  it('reads the forms the plan and the CLI use', () => {
    expect(parseDuration('30m', 'd')).toBe(1_800_000);
    expect(parseDuration('90s', 'd')).toBe(90_000);
    expect(parseDuration('1h', 'd')).toBe(3_600_000);
    expect(parseDuration('250ms', 'd')).toBe(250);
    expect(parseDuration('45', 'd')).toBe(45_000);
  });

  it('says what it wanted', () => {
    expect(() => parseDuration('soon', '--duration')).toThrow(UsageError);
    expect(() => parseDuration('0s', '--duration')).toThrow(/more than zero/);
  });

  it('prints durations short', () => {
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(5_400_000)).toBe('90m');
  });
});
