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
}

export class Terminals {
  readonly #pool: Pool;
  readonly #shells: (Shell | undefined)[];

  private constructor(pool: Pool, shells: (Shell | undefined)[]) {
    this.#pool = pool;
    this.#shells = shells;
  }

  /**
   * Opens every session and its shells; output flows to `sink` from the first byte, or with `link`
   * (the Rust core) to the UI over the link, each shell routed as its terminal's number before the
   * stream command goes out.
   */
  static async open(spec: TerminalsSpec, sink: TerminalSink, link?: RustUiLink): Promise<Terminals> {
    const pool = await loadPool(spec.core);
    const shells: (Shell | undefined)[] = new Array(spec.sessions * 2).fill(undefined);
    try {
      await Promise.all(
        Array.from({ length: spec.sessions }, async (_, i) => {
          const session = await pool.open(spec.session);
          const attach = async (t: number, command?: string) => {
            const shell = await session.openShell();
            link?.route(shell, t);
            shell.on('data', (b) => sink.data(t, b));
            shell.on('reopen', () => {
              sink.reopen(t);
              if (command) shell.write(command);
            });
            if (command) shell.write(command);
            shells[t] = shell;
          };
          await attach(2 * i, spec.streamCommand);
          if (spec.echo) await attach(2 * i + 1);
        }),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
    return new Terminals(pool, shells);
  }

  get count(): number {
    return this.#shells.length;
  }

  /** Types into a terminal; throws while its session reconnects. */
  write(terminal: number, text: string): void {
    const shell = this.#shells[terminal];
    if (!shell) throw new RangeError(`no terminal ${terminal}`);
    shell.write(text);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
