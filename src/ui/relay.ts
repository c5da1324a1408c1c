/**
 * The main process's side of the path to the UI: terminal output of each session goes on to the
 * UI stand-in, keys the UI types go back to their session, and the UI's acks drive a flow gate per
 * session (xterm.js-style). Where the output comes from (a core in this process, or a core in a
 * utility process) is the caller's business: it calls `data` and `reopen`, and gets keys through
 * `write`. A source that can pause gives `pause`/`resume` (a shell's pause, src/core/contract.ts);
 * a session whose source cannot is still gated, and the relay counts the pauses it could not make.
 * Output goes to the UI batched per frame (batch.ts), whichever core it came from; the gate counts
 * bytes as they come from the source, so a batch held back for its tick counts as unacked.
 */
import { FrameBatcher, type FrameBatcherOptions } from './batch.js';
import { FlowGate, type FlowGateOptions } from './flow.js';
import type { UiHost } from './host.js';

export interface RelaySource {
  /** Types `text` into session `session` (a probe key or the backspace erasing it). */
  write(session: number, text: string): void;
  /**
   * Stops reading the session's output until `resume` (flow control). Returns whether the pause
   * was made: false when this session's source cannot pause (a contender whose shell cannot,
   * `canPause`); absent when no session's can.
   */
  pause?(session: number): boolean;
  /** Lifts a pause; also called after one that could not be made (it then does nothing). */
  resume?(session: number): void;
  /**
   * The UI drew `bytes` more of the session's output: for a source that keeps a flow gate of its
   * own (the core in a utility process, which pauses without waiting for this process to ask).
   */
  acked?(session: number, bytes: number): void;
}

export interface RelayStats {
  bytesSent: number;
  /** Messages carrying output to the UI (one per batch), and chunks of output that came from the source. */
  messagesSent: number;
  chunksIn: number;
  /** Most bytes sent to the UI and not yet acked as drawn, over every session at one time. */
  peakUnackedBytes: number;
  /** Times a gate asked to pause its session, and how many of those the source could not make. */
  pauses: number;
  pausesUnavailable: number;
  keysTyped: number;
}

export class Relay {
  readonly #ui: UiHost;
  readonly #source: RelaySource;
  readonly #gates: FlowGate[];
  readonly #batcher: FrameBatcher;
  readonly #stats: Omit<RelayStats, 'messagesSent' | 'chunksIn'> = { bytesSent: 0, peakUnackedBytes: 0, pauses: 0, pausesUnavailable: 0, keysTyped: 0 };
  #unackedBytes = 0;

  constructor(ui: UiHost, sessions: number, source: RelaySource, gate: FlowGateOptions = {}, batch: FrameBatcherOptions = {}) {
    this.#ui = ui;
    this.#source = source;
    this.#gates = Array.from({ length: sessions }, () => new FlowGate(gate));
    this.#batcher = new FrameBatcher((session, bytes) => ui.send({ type: 'data', session, bytes }), batch);
    ui.onMessage((msg) => {
      if (msg.type === 'key') {
        this.#stats.keysTyped++;
        this.#batcher.input(msg.session);
        try {
          this.#source.write(msg.session, msg.char);
        } catch {
          // the session is reconnecting; the key is lost, as a person's would be
        }
      } else if (msg.type === 'ack') {
        const g = this.#gates[msg.session];
        if (!g) return;
        this.#unackedBytes -= msg.bytes;
        this.#source.acked?.(msg.session, msg.bytes);
        if (g.acked(msg.bytes) === 'resume') this.#source.resume?.(msg.session);
      }
    });
  }

  /** Output of session `session`, on to the UI. */
  data(session: number, bytes: Uint8Array): void {
    const g = this.#gates[session];
    if (!g) throw new RangeError(`no session ${session} in this relay (it has ${this.#gates.length})`);
    this.#batcher.push(session, bytes);
    this.#stats.bytesSent += bytes.length;
    this.#unackedBytes += bytes.length;
    this.#stats.peakUnackedBytes = Math.max(this.#stats.peakUnackedBytes, this.#unackedBytes);
    if (g.sent(bytes.length) === 'pause') {
      this.#stats.pauses++;
      if (!this.#source.pause?.(session)) this.#stats.pausesUnavailable++;
    }
  }

  /** Session `session`'s remote shell is new: the UI starts its stream check afresh. */
  reopen(session: number): void {
    this.#batcher.flush(session);
    this.#ui.send({ type: 'reopen', session });
  }

  /** Sends what the batcher holds and stops its timer; data after this goes on unbatched. */
  close(): void {
    this.#batcher.close();
  }

  get stats(): RelayStats {
    const b = this.#batcher.stats;
    return { ...this.#stats, messagesSent: b.batchesOut, chunksIn: b.chunksIn };
  }
}
