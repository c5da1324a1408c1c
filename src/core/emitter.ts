import { EventEmitter } from 'node:events';

// biome-ignore lint/suspicious/noExplicitAny: listeners of an event map take any arguments; the map types them
type Listener = (...args: any[]) => void;

/** A typed wrapper over EventEmitter: `on('data', fn)` checks `fn` against the event map. */
export class TypedEmitter<Events extends { [K in keyof Events]: Listener }> {
  readonly #ee = new EventEmitter();

  on<K extends keyof Events & string>(event: K, listener: Events[K]): this {
    this.#ee.on(event, listener);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: Events[K]): this {
    this.#ee.once(event, listener);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: Events[K]): this {
    this.#ee.off(event, listener);
    return this;
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Parameters<Events[K]>): void {
    this.#ee.emit(event, ...args);
  }
}
