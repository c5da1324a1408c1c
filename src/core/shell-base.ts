import type { Shell, ShellEvents, ShellExit } from './contract.js';
import { TypedEmitter } from './emitter.js';
import { SshError } from './errors.js';
import { checkSize } from './options.js';

/** What a paused shell holds for its reader, in the order it happened. */
export type Held = { data: Buffer } | { reopenAtMs: number } | { exit: ShellExit };

/**
 * What both cores' shells share: output that arrives before anyone listens (the first prompt) is
 * kept and delivered, in order, to the first 'data' listener (a paused shell's once it resumes);
 * 'exit' fires once and `exited` resolves with it. The pause too (the contract's `pause`): the
 * shell keeps, in order, the output, reopens and exit that come while paused, and each core only
 * says whether it can stop the server sending (`canPause`) and does it (`holdSource`).
 */
export abstract class BaseShell extends TypedEmitter<ShellEvents> implements Shell {
  readonly exited: Promise<ShellExit>;
  #resolveExit!: (exit: ShellExit) => void;
  #ended = false;
  #closed = false;
  #pending: Buffer[] = [];
  #listening = false;
  #paused = false;
  /** The core was told to hold the source (it may still be, while a resume hands on what was held). */
  #sourceHeld = false;
  #held: Held[] = [];

  constructor() {
    super();
    this.exited = new Promise((resolve) => (this.#resolveExit = resolve));
  }

  override on<K extends keyof ShellEvents & string>(event: K, listener: ShellEvents[K]): this {
    super.on(event, listener);
    if (event === 'data' && !this.#listening) {
      this.#listening = true;
      queueMicrotask(() => this.flushPending());
    }
    return this;
  }

  /** Emits the output that waited for the first listener, in order, until a listener pauses the shell. */
  protected flushPending(): void {
    if (!this.#listening) return;
    while (this.#pending.length > 0 && !this.paused) this.emit('data', this.#pending.shift()!);
  }

  protected deliver(chunk: Buffer): void {
    if (!this.#listening || this.#pending.length > 0 || this.paused) this.#pending.push(chunk);
    else this.emit('data', chunk);
  }

  protected end(exit: ShellExit): void {
    if (this.#ended) return;
    this.#ended = true;
    // Output still waiting for a listener goes first.
    queueMicrotask(() => {
      this.#resolveExit(exit);
      this.emit('exit', exit);
    });
  }

  /** Queues input; after the shell has ended or was closed this throws NOT_CONNECTED on both cores. */
  write(data: string | Buffer): void {
    if (typeof data !== 'string' && !Buffer.isBuffer(data)) {
      throw new SshError('BAD_OPTION', `shell.write takes a string or a Buffer, got ${data === null ? 'null' : typeof data}`);
    }
    if (this.#ended || this.#closed) throw new SshError('NOT_CONNECTED', 'the shell has ended');
    this.writeRaw(typeof data === 'string' ? Buffer.from(data) : data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    const size = checkSize(cols, rows);
    if (this.#ended || this.#closed) throw new SshError('NOT_CONNECTED', 'the shell has ended');
    await this.resizeRaw(size.cols, size.rows);
  }

  /** Sends EOF and closes the channel; the shell ends at once with code and signal null. */
  close(): void {
    if (this.#ended || this.#closed) return;
    this.#closed = true;
    this.closeRaw();
  }

  /** Whether the core can stop the server sending on this shell's channel (see the contract). */
  abstract readonly canPause: boolean;

  get paused(): boolean {
    return this.#paused;
  }

  pause(): boolean {
    if (!this.canPause) return false;
    if (this.#paused) return true;
    this.#paused = true;
    if (!this.#sourceHeld) {
      this.#sourceHeld = true;
      this.holdSource(true);
    }
    return true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.flushPending();
    this.#flushHeld();
    // A listener may have paused the shell again meanwhile: the source stays held.
    if (this.#paused) return;
    this.#sourceHeld = false;
    this.holdSource(false);
  }

  /** The core's part of a pause: make the server stop sending on the channel, or let it go on. */
  protected holdSource(_held: boolean): void {}

  /** Output, a reopen or the exit: handed on now, or kept in order behind a pause and what is kept already. */
  protected arrive(item: Held): void {
    if (this.#paused || this.#held.length > 0) this.#held.push(item);
    else this.#dispatch(item);
  }

  /** Something waits behind a pause. */
  protected get holding(): boolean {
    return this.#held.length > 0;
  }

  /** Drops what waits behind a pause (a close drops the output held, and the exit waiting behind it). */
  protected dropHeld(): void {
    this.#held = [];
  }

  /** Hands held output, reopens and the exit on in order, until a listener pauses the shell again. */
  #flushHeld(): void {
    while (this.#held.length > 0 && !this.#paused) this.#dispatch(this.#held.shift()!);
  }

  #dispatch(item: Held): void {
    if ('data' in item) this.deliver(item.data);
    else if ('reopenAtMs' in item) this.emit('reopen', { atMs: item.reopenAtMs });
    else this.end(item.exit);
  }

  protected abstract writeRaw(data: Buffer): void;
  protected abstract resizeRaw(cols: number, rows: number): Promise<void>;
  /** Ends the shell now (its exit with code and signal null), then closes the channel. */
  protected abstract closeRaw(): void;
}
