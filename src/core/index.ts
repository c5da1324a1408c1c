/** Pools of either core behind the one contract. */
import type { Pool } from './contract.js';
import { type PoolOptions, resolvePoolOptions } from './options.js';
import { RustPool } from './rust.js';

export { RustUiLink, type UiLinkStats } from './rust.js';
import { Ssh2Pool } from './ssh2/pool.js';

export function createPool(options: PoolOptions): Pool {
  const o = resolvePoolOptions(options);
  return o.core === 'rust' ? new RustPool(o) : new Ssh2Pool(o);
}

export * from './contract.js';
export * from './errors.js';
export * from './defaults.js';
export type { PoolOptions, RustTuning } from './options.js';
export { backoffDelayMs, Jitter } from './policy.js';
