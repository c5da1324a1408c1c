/**
 * The terminals of the UI-path measurement: per session a stream shell (the sequence stream at a
 * rate) and, when asked, an echo shell for the UI's keystroke probes. Terminal 2i is session i's
 * stream shell, 2i + 1 its echo shell. Used where the core runs: the main process, or a utility
 * process of its own (ui-utility.ts).
 */
import type { Contender } from '../core/errors.js';
import type { Pool, SessionOptions, Shell } from '../core/contract.js';
import { loadPool } from '../core/load.js';
import type { RustUiLink } from '../core/rust.js';

export interface TerminalsSpec {
  core: Contender;
  session: SessionOptions;
  sessions: number;
  /** The command each stream shell runs (ends with \r). */
  streamCommand: string;
  /** Also open an echo shell per session. */
  echo: boolean;
}

export interface TerminalSink {
  data(terminal: number, bytes: Uint8Array): void;
  reopen(terminal: number): void;
  /** A terminal's shell is open, before its first byte; `canPause` is its core's (the contract's `canPause`). */
  opened?(terminal: number, canPause: boolean): void;
}

export class Terminals {
  readonly #spec: TerminalsSpec;
  readonly #shells: (Shell | undefined)[];
  #pool: Pool | undefined;
  #closed = false;

  constructor(spec: TerminalsSpec) {
    this.#spec = spec;
    this.#shells = new Array(spec.sessions * 2).fill(undefined);
  }

  /**
   * Opens every session and its shells; output flows to `sink` from the first byte, or with `link`
   * (the Rust core) to the UI over the link, each shell routed as its terminal's number before the
   * stream command goes out. Each shell can be paused from its first byte on, before the others
   * are open. On a failure the sessions opened so far are closed.
   */
  async open(sink: TerminalSink, link?: RustUiLink): Promise<void> {
    if (this.#closed) throw new Error('the terminals were closed before they opened');
    if (this.#pool) throw new Error('the terminals were opened already');
    const pool = await loadPool(this.#spec.core);
    this.#pool = pool;
    try {
      if (this.#closed) throw new Error('the terminals were closed while they opened');
      await Promise.all(
        Array.from({ length: this.#spec.sessions }, async (_, i) => {
          const session = await pool.open(this.#spec.session);
          const attach = async (t: number, command?: string) => {
            const shell = await session.openShell();
            link?.route(shell, t);
            this.#shells[t] = shell;
            sink.opened?.(t, shell.canPause);
            shell.on('data', (b) => sink.data(t, b));
            shell.on('reopen', () => {
              sink.reopen(t);
              if (command) shell.write(command);
            });
            if (command) shell.write(command);
          };
          await attach(2 * i, this.#spec.streamCommand);
          if (this.#spec.echo) await attach(2 * i + 1);
        }),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  get count(): number {
    return this.#shells.length;
  }

  /** Types into a terminal; throws while its session reconnects. */
  write(terminal: number, text: string): void {
    this.#shell(terminal).write(text);
  }

  /** Pauses a terminal's output (the shell's `pause`): false when its core cannot, or it is not open yet. */
  pause(terminal: number): boolean {
    return this.#shells[terminal]?.pause() ?? false;
  }

  resume(terminal: number): void {
    this.#shells[terminal]?.resume();
  }

  /** Closes every session, also while they are being opened. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
  }

  #shell(terminal: number): Shell {
    const shell = this.#shells[terminal];
    if (!shell) throw new RangeError(`no terminal ${terminal}`);
    return shell;
  }
}
