/**
 * The PTY stream workload: in each session, a shell that runs the sequence-stream command
 * (`spike-stream`), its output checked line by line (seq.ts). After a reconnect the shell reopens
 * and the stream starts again with a checker of its own; what the old one saw is kept.
 */
import type { Session, Shell } from '../core/contract.js';
import { SeqChecker, type SeqReport } from './seq.js';

export type Integrity = Pick<SeqReport, 'lines' | 'missing' | 'reordered' | 'corrupt'>;

export class StreamWorkload {
  readonly #command: string;
  readonly #checkers = new Set<{ checker: SeqChecker }>();
  readonly #integrity: Integrity = { lines: 0, missing: 0, reordered: 0, corrupt: 0 };
  #bytes = 0;

  constructor(command: string) {
    this.#command = command;
  }

  /** Opens the stream shell of a session and starts the stream; `onReopen` runs after each reopen restarted it. */
  async start(session: Session, onReopen: () => void): Promise<Shell> {
    const shell = await session.openShell();
    const live = { checker: new SeqChecker() };
    this.#checkers.add(live);
    shell.on('data', (c) => {
      this.#bytes += c.length;
      live.checker.push(c);
    });
    shell.on('reopen', () => {
      this.#retire(live.checker);
      live.checker = new SeqChecker();
      try {
        shell.write(this.#command);
      } catch {
        // the link went down again; the next reopen restarts the stream
      }
      onReopen();
    });
    shell.write(this.#command);
    return shell;
  }

  /** PTY bytes received since the last call. */
  takeBytes(): number {
    const n = this.#bytes;
    this.#bytes = 0;
    return n;
  }

  /** The integrity of every stream so far, the live ones included (call once, at the end). */
  finish(): Integrity {
    for (const live of this.#checkers) this.#retire(live.checker);
    this.#checkers.clear();
    return { ...this.#integrity };
  }

  #retire(c: SeqChecker): void {
    const r = c.report;
    this.#integrity.lines += r.lines;
    this.#integrity.missing += r.missing;
    this.#integrity.reordered += r.reordered;
    this.#integrity.corrupt += r.corrupt;
  }
}
