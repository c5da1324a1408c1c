import type { Pool, PoolEvents, Session, SessionOptions, StateEvent } from '../contract.js';
import { TypedEmitter } from '../emitter.js';
import { resolveSessionOptions } from '../options.js';
import type { PinnedKeys } from './hostkey.js';
import { Ssh2Session } from './session.js';

export class Ssh2Pool extends TypedEmitter<PoolEvents> implements Pool {
  readonly core = 'ssh2' as const;
  #sessions: Ssh2Session[] = [];
  #pinned: PinnedKeys = new Map();
  #nextId = 1;

  get sessions(): readonly Session[] {
    return this.#sessions;
  }

  createSession(options: SessionOptions): Session {
    const resolved = resolveSessionOptions(options);
    const session = new Ssh2Session(`ssh2-${this.#nextId++}`, resolved, this.#pinned, (e: StateEvent) =>
      this.emit('state', e),
    );
    this.#sessions.push(session);
    return session;
  }

  async open(options: SessionOptions): Promise<Session> {
    const session = this.createSession(options);
    await session.connect();
    return session;
  }

  async close(): Promise<void> {
    const all = this.#sessions.splice(0);
    await Promise.all(all.map((s) => s.close()));
  }
}
