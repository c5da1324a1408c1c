/**
 * The lab addon (lab-addon/index.js, which `napi build` writes for crates/ssh-lab-napi): the lab
 * server, its fault proxy, key generation and the benchmark hooks. It is a separate addon so that
 * a library user's process loads only the core; loaded on first use, like the core (native.ts).
 */
import { createRequire } from 'node:module';

type LabAddon = typeof import('../../lab-addon/index.js');

let addon: LabAddon | undefined;

/** The lab addon, loaded now if it was not yet (throws the loader's "Cannot find native binding" error when it is missing). */
export function labAddon(): LabAddon {
  addon ??= createRequire(import.meta.url)('../../lab-addon/index.js') as LabAddon;
  return addon;
}
