import type { AttemptEvent, Pool, PoolEvents, Session, SessionOptions, StateEvent } from './contract.js';
import type { Contender } from './errors.js';
import { TypedEmitter } from './emitter.js';
import { type ResolvedSessionOptions, resolveSessionOptions } from './options.js';

/** What both cores' pools share: option checks, the session list, open, close, event fan-in. */
/** Where a session reports to its pool. */
export interface PoolLink {
  state(e: StateEvent): void;
  attempt(e: AttemptEvent): void;
}

export abstract class BasePool extends TypedEmitter<PoolEvents> implements Pool {
  abstract readonly core: Contender;
  readonly seed: number;
  #sessions: Session[] = [];

  constructor(seed: number) {
    super();
    this.seed = seed;
  }

  get sessions(): readonly Session[] {
    return this.#sessions;
  }

  protected abstract newSession(options: ResolvedSessionOptions, link: PoolLink): Session;

  createSession(options: SessionOptions): Session {
    const session = this.newSession(resolveSessionOptions(options), {
      state: (e) => this.emit('state', e),
      attempt: (e) => this.emit('attempt', e),
    });
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
