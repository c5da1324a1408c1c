import { describe, expect, it } from 'vitest';
import { errorCatalog } from '../../index.js';
import { ERROR_CATALOG, fromNativeError, SshError } from '../../src/core/errors.js';

describe('error catalog', () => {
  it('the Rust core and the TypeScript side know the same codes with the same causes', () => {
    const rust = Object.fromEntries(errorCatalog().map((e) => [e.code, e.cause]));
    expect(rust).toEqual(ERROR_CATALOG);
  });

  it('turns a native error message into a typed error', () => {
    const e = fromNativeError(new Error('[AUTH_FAILED] authentication failed for u@h:22 with password'));
    expect(e).toBeInstanceOf(SshError);
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.cause).toBe('auth');
    expect(e.message).toBe('authentication failed for u@h:22 with password');
  });

  it('an unrecognised native error is INTERNAL, not lost', () => {
    const e = fromNativeError(new Error('something odd'));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toContain('something odd');
  });
});
