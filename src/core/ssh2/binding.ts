/**
 * ssh2's optional native crypto binding (OpenSSL's AES-GCM and ChaCha20-Poly1305 on whole packets).
 * ssh2 builds it at install with node-gyp and, when it is missing or built for another Node, falls
 * back without a word to node:crypto per packet, at about three times the CPU at the plan's load.
 * A comparison against that fallback measures a handicapped ssh2, so the tools check.
 */
import { createRequire } from 'node:module';

/** true: the binding is loaded; false: ssh2 runs on its fallback; undefined: this ssh2 does not say. */
export function ssh2NativeCrypto(): boolean | undefined {
  try {
    const crypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean };
    return crypto.bindingAvailable;
  } catch {
    return undefined;
  }
}

/** What to do about a missing binding, for errors and warnings. */
export const SSH2_BINDING_FIX =
  "ssh2's native crypto binding does not load in this Node, so the ssh2 core decrypts with node:crypto per packet " +
  "(about three times its CPU): not ssh2 at its best. `npm run build` rebuilds it against the running Node's headers " +
  '(it needs a C++ compiler, make and Python; `npm_config_nodedir=<dir holding include/node>` names the headers)';
