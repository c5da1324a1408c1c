/** Loading the client's private key for the ssh2 core, with the same error codes as the Rust core. */
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { SshError } from '../errors.js';
import type { ResolvedAuth } from '../options.js';

/** The key text ssh2 should use, checked first so a bad key never reaches the network. */
export function loadPrivateKey(auth: Extract<ResolvedAuth, { kind: 'key' }>): string {
  let text: string;
  let what: string;
  if (auth.privateKeyPath !== undefined) {
    what = auth.privateKeyPath;
    try {
      text = readFileSync(auth.privateKeyPath, 'utf8');
    } catch (err) {
      throw new SshError('KEY_UNREADABLE', `cannot read private key file ${what}: ${(err as Error).message}`);
    }
  } else {
    what = '(inline key)';
    text = auth.privateKey ?? '';
  }
  const plain = ssh2.utils.parseKey(text);
  if (!(plain instanceof Error)) return text;
  if (!/no passphrase given/.test(plain.message)) {
    throw new SshError('KEY_INVALID', `private key ${what} is not a key this core can use: ${plain.message}`);
  }
  if (auth.passphrase === undefined) {
    throw new SshError('KEY_PASSPHRASE_REQUIRED', `private key ${what} is encrypted: give its passphrase`);
  }
  if (ssh2.utils.parseKey(text, auth.passphrase) instanceof Error) {
    throw new SshError('KEY_PASSPHRASE_WRONG', `wrong passphrase for private key ${what}`);
  }
  return text;
}
