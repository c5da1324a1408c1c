/**
 * bench:compare against an ssh2 whose native crypto did not load: it stops with what to fix unless
 * told to measure the fallback knowingly. The binding's state is faked here; compare.test.ts checks
 * the real one.
 */
import { describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ loads: false as boolean | undefined }));
vi.mock('../../src/core/ssh2/binding.js', async (real) => ({
  ...(await real<typeof import('../../src/core/ssh2/binding.js')>()),
  ssh2NativeCrypto: () => state.loads,
}));
const { parseCompareArgs } = await import('../../src/bench/cli.js');

describe('bench:compare and ssh2\u2019s native crypto', () => {
  it('refuses to compare with an ssh2 on its fallback, saying how to fix it', () => {
    state.loads = false;
    expect(() => parseCompareArgs([])).toThrow(/ssh2's native crypto binding does not load in this Node.*npm run build.*--ssh2-without-binding/s);
    expect(parseCompareArgs(['--ssh2-without-binding']).options.contenders).toEqual(['rust', 'ssh2']);
    expect(parseCompareArgs(['--help']).help).toBe(true);
  });

  it('runs when the binding loads, or when this ssh2 does not say', () => {
    state.loads = true;
    expect(() => parseCompareArgs([])).not.toThrow();
    state.loads = undefined;
    expect(() => parseCompareArgs([])).not.toThrow();
  });
});
