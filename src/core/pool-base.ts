import type { Pool, PoolEvents, Session, SessionOptions, StateEvent } from './contract.js';
import type { CoreName } from './errors.js';
import { TypedEmitter } from './emitter.js';
import { type ResolvedSessionOptions, resolveSessionOptions } from './options.js';

/** What both cores' pools share: option checks, the session list, open, close, event fan-in. */
export abstract class BasePool extends TypedEmitter<PoolEvents> implements Pool {
  abstract readonly core: CoreName;
  #sessions: Session[] = [];

  get sessions(): readonly Session[] {
    return this.#sessions;
  }

  protected abstract newSession(options: ResolvedSessionOptions, forward: (e: StateEvent) => void): Session;

  createSession(options: SessionOptions): Session {
    const session = this.newSession(resolveSessionOptions(options), (e) => this.emit('state', e));
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
