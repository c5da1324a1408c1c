import type { Session, StateEvent } from '../contract.js';
import type { ResolvedSessionOptions } from '../options.js';
import { BasePool } from '../pool-base.js';
import type { PinnedKeys } from './hostkey.js';
import { Ssh2Session } from './session.js';

export class Ssh2Pool extends BasePool {
  readonly core = 'ssh2' as const;
  #pinned: PinnedKeys = new Map();
  #nextId = 1;

  protected newSession(options: ResolvedSessionOptions, forward: (e: StateEvent) => void): Session {
    return new Ssh2Session(`ssh2-${this.#nextId++}`, options, this.#pinned, forward);
  }
}
