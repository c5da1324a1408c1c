import type { AttemptEvent, ChannelsEvent, Pool, PoolEvents, Session, SessionOptions, StateEvent } from './contract.js';
import { type Contender, SshError } from './errors.js';
import { TypedEmitter } from './emitter.js';
import { type ResolvedSessionOptions, resolveSessionOptions } from './options.js';

/** What both cores' pools share: option checks, the session list, open, close, event fan-in. */
/** Where a session reports to its pool. */
export interface PoolLink {
  state(e: StateEvent): void;
  attempt(e: AttemptEvent): void;
  channels(e: ChannelsEvent): void;
  /** The owner closed the session: it leaves the pool. */
  closed(): void;
}

export abstract class BasePool extends TypedEmitter<PoolEvents> implements Pool {
  abstract readonly core: Contender;
  readonly seed: number;
  #sessions = new Set<Session>();
  #closed = false;

  constructor(seed: number) {
    super();
    this.seed = seed;
  }

  get sessions(): readonly Session[] {
    return [...this.#sessions];
  }

  protected abstract newSession(options: ResolvedSessionOptions, link: PoolLink): Session;

  /** A session left the pool (its owner closed it). */
  protected forget(_session: Session): void {}

  createSession(options: SessionOptions): Session {
    if (this.#closed) throw new SshError('NOT_CONNECTED', 'the pool is closed; create a new pool');
    const session: Session = this.newSession(resolveSessionOptions(options), {
      state: (e) => this.emit('state', e),
      attempt: (e) => this.emit('attempt', e),
      channels: (e) => this.emit('channels', e),
      closed: () => {
        if (this.#sessions.delete(session)) this.forget(session);
      },
    });
    this.#sessions.add(session);
    return session;
  }

  async open(options: SessionOptions): Promise<Session> {
    const session = this.createSession(options);
    try {
      await session.connect();
    } catch (err) {
      // The caller never gets this session: do not keep it.
      await session.close();
      throw err;
    }
    return session;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#sessions];
    await Promise.all(all.map((s) => s.close()));
    this.#sessions.clear();
  }
}
