import type { Shell, ShellEvents, ShellExit } from './contract.js';
import { TypedEmitter } from './emitter.js';
import { SshError } from './errors.js';
import { checkSize } from './options.js';

/**
 * What both cores' shells share: output that arrives before anyone listens (the first prompt) is
 * kept and delivered, in order, to the first 'data' listener (a paused shell's once it resumes);
 * 'exit' fires once and `exited` resolves with it.
 */
export abstract class BaseShell extends TypedEmitter<ShellEvents> implements Shell {
  readonly exited: Promise<ShellExit>;
  #resolveExit!: (exit: ShellExit) => void;
  #ended = false;
  #closed = false;
  #pending: Buffer[] = [];
  #listening = false;

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

  /** Flow control (see the contract's `pause`): each core says whether it can, and does it itself. */
  abstract readonly canPause: boolean;
  abstract readonly paused: boolean;
  abstract pause(): boolean;
  abstract resume(): void;

  protected abstract writeRaw(data: Buffer): void;
  protected abstract resizeRaw(cols: number, rows: number): Promise<void>;
  /** Ends the shell now (its exit with code and signal null), then closes the channel. */
  protected abstract closeRaw(): void;
}
