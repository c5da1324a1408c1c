import type { Session } from '../contract.js';
import type { ResolvedPoolOptions, ResolvedSessionOptions } from '../options.js';
import { Jitter } from '../policy.js';
import { BasePool, type PoolLink } from '../pool-base.js';
import type { PinnedKeys } from './hostkey.js';
import { Semaphore } from './limiter.js';
import { Ssh2Session } from './session.js';

export class Ssh2Pool extends BasePool {
  readonly core = 'ssh2' as const;
  #pinned: PinnedKeys = new Map();
  #slots = new Map<string, Semaphore>();
  #byTarget = new Map<string, Set<Ssh2Session>>();
  #jitter: Jitter;
  #maxHandshakes: number;
  #nextId = 1;

  constructor(o: ResolvedPoolOptions) {
    super(o.seed);
    this.#jitter = new Jitter(o.seed);
    this.#maxHandshakes = o.maxConcurrentHandshakes;
  }

  protected newSession(options: ResolvedSessionOptions, link: PoolLink): Session {
    const session = new Ssh2Session(`ssh2-${this.#nextId++}`, options, {
      pinned: this.#pinned,
      slots: (target) => {
        let s = this.#slots.get(target);
        if (!s) this.#slots.set(target, (s = new Semaphore(this.#maxHandshakes)));
        return s;
      },
      nextUnit: () => this.#jitter.nextUnit(),
      probeSiblings: (target, except) => {
        for (const s of this.#byTarget.get(target) ?? []) if (s.id !== except) s.probe();
      },
      link,
    });
    let set = this.#byTarget.get(options.targetId);
    if (!set) this.#byTarget.set(options.targetId, (set = new Set()));
    set.add(session);
    return session;
  }

  protected override forget(session: Session): void {
    for (const set of this.#byTarget.values()) set.delete(session as Ssh2Session);
  }

  override async close(): Promise<void> {
    await super.close();
    this.#byTarget.clear();
  }
}
