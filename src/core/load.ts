/**
 * A pool of one contender, importing only that contender's code: a measured worker that runs
 * ssh2 never loads the Rust addon, and the Rust worker never loads the npm russh binding.
 */
import type { Pool } from './contract.js';
import type { Contender } from './errors.js';
import { type PoolOptions, resolvePoolOptions } from './options.js';

export async function loadPool(contender: Contender, options: Omit<PoolOptions, 'core'> = {}): Promise<Pool> {
  // The russh binding takes the ssh2 core's option set: it has no Rust tuning of its own.
  const resolved = resolvePoolOptions({ ...options, core: contender === 'rust' ? 'rust' : 'ssh2' });
  if (contender === 'rust') return new (await import('./rust.js')).RustPool(resolved);
  if (contender === 'russh-napi') return new (await import('./russh-napi.js')).RusshNapiPool(resolved);
  return new (await import('./ssh2/pool.js')).Ssh2Pool(resolved);
}
