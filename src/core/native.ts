/**
 * The Rust addon (the root index.js that `napi build` writes), loaded on first use: importing the
 * package, or using only the ssh2 core, never loads it. Only `import type` of index.js elsewhere.
 */
import { createRequire } from 'node:module';

type Addon = typeof import('../../index.js');

let addon: Addon | undefined;

/** The addon, loaded now if it was not yet (throws the loader's "Cannot find native binding" error when it is missing). */
export function native(): Addon {
  addon ??= createRequire(import.meta.url)('../../index.js') as Addon;
  return addon;
}
