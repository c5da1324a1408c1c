/**
 * The UI stand-in's logic: what the desktop app's renderer does with terminal bytes, played by Node
 * (not Electron, nor xterm.js). Data queues and is drawn at `drawBytesPerS`; drawing checks each
 * session's sequence stream (seq.ts), acks the drawn bytes to the sender and spots probe echoes.
 * No process or timer of its own: time comes from an injectable clock, so tests can drive it.
 */
import { Latency } from '../metrics/histogram.js';
import { jitteredWaitMs, TYPE_JITTER } from '../workload/echo.js';
import { SeqChecker } from '../workload/seq.js';
import type { Integrity } from '../workload/stream.js';
import type { KeyMessage, RelayMessage, UiMessage, UiStats } from './frames.js';

/** The probe key; the stream's lines never carry it (payloads are lowercase). */
export const PROBE_CHAR = 'Z';
const PROBE_BYTE = PROBE_CHAR.charCodeAt(0);
const BACKSPACE = '\x7f';

/** Defaults of {@link UiStandInOptions}. */
export const UI_STANDIN_DEFAULTS = {
  drawEveryMs: 16,
  ackEveryBytes: 64 * 1024,
  typeEveryMs: 1000,
  typeJitter: TYPE_JITTER,
} as const;

export interface UiStandInOptions {
  /** How fast the UI draws; received bytes queue until drawn. @default undefined (drawn as they arrive) */
  drawBytesPerS?: number;
  /** How often the UI draws while bytes are queued (a display frame). @default 16 */
  drawEveryMs?: number;
  /** The UI acks a session's drawn bytes each time this many accumulate. @default 65536 (64 KiB) */
  ackEveryBytes?: number;
  /** Each session being typed into gets a probe key this often, the sessions taking turns. @default 1000 */
  typeEveryMs?: number;
  /**
   * Each wait between two keys is drawn at random from its mean (`typeEveryMs` over the sessions)
   * times [1 - typeJitter, 1 + typeJitter], as the echo workload's (`jitteredWaitMs`).
   * @default 0.5
   */
  typeJitter?: number;
}

/** Time for the stand-in: `now` in ms, a one-shot timer that returns its cancel, and chance. */
export interface UiClock {
  now(): number;
  schedule(fn: () => void, delayMs: number): () => void;
  /** Uniform in [0, 1), for the typing jitter. @default Math.random */
  random?(): number;
}

export const realClock: UiClock = {
  now: () => performance.now(),
  schedule: (fn, delayMs) => {
    const t = setTimeout(fn, delayMs);
    return () => clearTimeout(t);
  },
};

/** The messages the stand-in itself handles; stats and stop belong to its host. */
export type StreamMessage = Extract<RelayMessage, { type: 'data' | 'reopen' | 'typing' }>;

interface SessionView {
  checker: SeqChecker;
  /** Drawn and not acked yet. */
  unackedBytes: number;
  /** When the probe key in flight was typed. */
  probeSentAtMs?: number;
}

type Queued = { session: number; bytes: Buffer } | { session: number; reopen: true };

export class UiStandIn {
  readonly #send: (msg: UiMessage) => void;
  readonly #clock: UiClock;
  readonly #drawBytesPerS: number | undefined;
  readonly #drawEveryMs: number;
  readonly #ackEveryBytes: number;
  readonly #typeEveryMs: number;
  readonly #typeJitter: number;
  readonly #sessions = new Map<number, SessionView>();
  readonly #retired: Integrity = { lines: 0, missing: 0, reordered: 0, corrupt: 0 };
  readonly #echo: Latency;
  #queue: Queued[] = [];
  #head = 0;
  /** Offset into the head item's bytes, when it was drawn in part. */
  #headOffset = 0;
  #queuedBytes = 0;
  #peakQueuedBytes = 0;
  #budgetBytes = 0;
  #lastDrawAtMs = 0;
  #cancelDraw: (() => void) | undefined;
  #cancelTyping: (() => void) | undefined;
  #counts = { bytesReceived: 0, framesReceived: 0, bytesDrawn: 0, acksSent: 0, reopens: 0, probesSent: 0, probesEchoed: 0 };
  #closed = false;
  /** Set while drawing, so an ack's reply that brings more data only queues it. */
  #drawing = false;

  /** `send` takes the stand-in's acks and keys to the relay. */
  constructor(send: (msg: UiMessage) => void, options: UiStandInOptions = {}, clock: UiClock = realClock) {
    this.#send = send;
    this.#clock = clock;
    this.#drawBytesPerS = options.drawBytesPerS;
    this.#drawEveryMs = options.drawEveryMs ?? UI_STANDIN_DEFAULTS.drawEveryMs;
    this.#ackEveryBytes = options.ackEveryBytes ?? UI_STANDIN_DEFAULTS.ackEveryBytes;
    this.#typeEveryMs = options.typeEveryMs ?? UI_STANDIN_DEFAULTS.typeEveryMs;
    this.#typeJitter = options.typeJitter ?? UI_STANDIN_DEFAULTS.typeJitter;
    if (this.#drawBytesPerS !== undefined && !(this.#drawBytesPerS > 0)) throw new RangeError(`drawBytesPerS must be above 0, got ${this.#drawBytesPerS}`);
    if (!(this.#drawEveryMs > 0)) throw new RangeError(`drawEveryMs must be above 0, got ${this.#drawEveryMs}`);
    if (!(this.#ackEveryBytes > 0)) throw new RangeError(`ackEveryBytes must be above 0, got ${this.#ackEveryBytes}`);
    if (!(this.#typeEveryMs > 0)) throw new RangeError(`typeEveryMs must be above 0, got ${this.#typeEveryMs}`);
    if (!(this.#typeJitter >= 0 && this.#typeJitter < 1)) throw new RangeError(`typeJitter must be at least 0 and below 1, got ${this.#typeJitter}`);
    this.#echo = new Latency(this.#typeEveryMs);
  }

  handle(msg: StreamMessage): void {
    switch (msg.type) {
      case 'data': {
        const bytes = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
        this.#view(msg.session);
        this.#counts.bytesReceived += bytes.length;
        this.#counts.framesReceived++;
        this.#queuedBytes += bytes.length;
        this.#peakQueuedBytes = Math.max(this.#peakQueuedBytes, this.#queuedBytes);
        this.#enqueue({ session: msg.session, bytes });
        break;
      }
      case 'reopen':
        this.#view(msg.session);
        this.#enqueue({ session: msg.session, reopen: true });
        break;
      case 'typing':
        this.type(msg.sessions);
        break;
    }
  }

  /** Types the probe key into a session: the key message to send, or undefined while one is in flight there. */
  probe(session: number): KeyMessage | undefined {
    const view = this.#view(session);
    if (view.probeSentAtMs !== undefined) return undefined;
    view.probeSentAtMs = this.#clock.now();
    this.#counts.probesSent++;
    return { type: 'key', session, char: PROBE_CHAR };
  }

  /**
   * Types into these sessions in turn, spread over `typeEveryMs` (as the echo workload does), each
   * wait jittered by `typeJitter`; [] stops.
   */
  type(sessions: number[]): void {
    this.#cancelTyping?.();
    this.#cancelTyping = undefined;
    if (!sessions.length || this.#closed) return;
    const everyMs = Math.max(1, Math.round(this.#typeEveryMs / sessions.length));
    const random = this.#clock.random ? () => this.#clock.random!() : Math.random;
    const wait = () => jitteredWaitMs(everyMs, this.#typeJitter, random);
    let turn = 0;
    const next = () => {
      if (this.#closed) return;
      const key = this.probe(sessions[turn++ % sessions.length]!);
      if (key) this.#send(key);
      this.#cancelTyping = this.#clock.schedule(next, wait());
    };
    this.#cancelTyping = this.#clock.schedule(next, wait());
  }

  stats(): UiStats {
    const integrity = { ...this.#retired };
    for (const view of this.#sessions.values()) addIntegrity(integrity, view.checker);
    const c = this.#counts;
    return {
      sessions: this.#sessions.size,
      integrity,
      bytesReceived: c.bytesReceived,
      framesReceived: c.framesReceived,
      bytesDrawn: c.bytesDrawn,
      queuedBytes: this.#queuedBytes,
      peakQueuedBytes: this.#peakQueuedBytes,
      acksSent: c.acksSent,
      reopens: c.reopens,
      echo: this.#echo.summary(),
      probes: { sent: c.probesSent, echoed: c.probesEchoed },
    };
  }

  /** Stops drawing and typing; what is queued stays undrawn. */
  close(): void {
    this.#closed = true;
    this.#cancelDraw?.();
    this.#cancelDraw = undefined;
    this.type([]);
  }

  #view(session: number): SessionView {
    let view = this.#sessions.get(session);
    if (!view) this.#sessions.set(session, (view = { checker: new SeqChecker(), unackedBytes: 0 }));
    return view;
  }

  #enqueue(item: Queued): void {
    this.#queue.push(item);
    if (this.#drawing || this.#closed) return;
    if (this.#drawBytesPerS === undefined) {
      this.#draw(Number.POSITIVE_INFINITY);
      return;
    }
    if (this.#cancelDraw) return;
    // The renderer was idle: no drawing time saved up.
    this.#lastDrawAtMs = this.#clock.now();
    this.#budgetBytes = 0;
    this.#cancelDraw = this.#clock.schedule(this.#tick, this.#drawEveryMs);
  }

  /** A display frame: draws what the time since the last one allows. */
  #tick = (): void => {
    this.#cancelDraw = undefined;
    const now = this.#clock.now();
    this.#budgetBytes += ((now - this.#lastDrawAtMs) * this.#drawBytesPerS!) / 1000;
    this.#lastDrawAtMs = now;
    this.#budgetBytes -= this.#draw(Math.floor(this.#budgetBytes));
    if (this.#head < this.#queue.length && !this.#closed) this.#cancelDraw = this.#clock.schedule(this.#tick, this.#drawEveryMs);
  };

  /** Draws up to `budgetBytes` from the queue in order (a reopen takes its turn); returns the bytes drawn. */
  #draw(budgetBytes: number): number {
    this.#drawing = true;
    let drawn = 0;
    try {
      while (this.#head < this.#queue.length) {
        const item = this.#queue[this.#head]!;
        if ('reopen' in item) {
          this.#reopen(item.session);
          this.#head++;
          continue;
        }
        if (drawn >= budgetBytes) break;
        const n = Math.min(budgetBytes - drawn, item.bytes.length - this.#headOffset);
        const at = this.#headOffset;
        this.#headOffset += n;
        if (this.#headOffset === item.bytes.length) {
          this.#head++;
          this.#headOffset = 0;
        }
        drawn += n;
        this.#drawn(item.session, item.bytes.subarray(at, at + n));
      }
    } finally {
      this.#drawing = false;
      if (this.#head === this.#queue.length || this.#head > 1024) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    }
    return drawn;
  }

  #drawn(session: number, bytes: Buffer): void {
    const view = this.#view(session);
    this.#queuedBytes -= bytes.length;
    this.#counts.bytesDrawn += bytes.length;
    view.checker.push(bytes);
    if (view.probeSentAtMs !== undefined && bytes.includes(PROBE_BYTE)) {
      this.#echo.record(this.#clock.now() - view.probeSentAtMs);
      this.#counts.probesEchoed++;
      view.probeSentAtMs = undefined;
      this.#send({ type: 'key', session, char: BACKSPACE });
    }
    view.unackedBytes += bytes.length;
    if (view.unackedBytes >= this.#ackEveryBytes) {
      this.#send({ type: 'ack', session, bytes: view.unackedBytes });
      this.#counts.acksSent++;
      view.unackedBytes = 0;
    }
  }

  /** The remote shell is new: its stream starts again under a fresh checker, the old one's totals kept. */
  #reopen(session: number): void {
    const view = this.#view(session);
    addIntegrity(this.#retired, view.checker);
    view.checker = new SeqChecker();
    view.probeSentAtMs = undefined;
    this.#counts.reopens++;
  }
}

function addIntegrity(into: Integrity, checker: SeqChecker): void {
  const r = checker.report;
  into.lines += r.lines;
  into.missing += r.missing;
  into.reordered += r.reordered;
  into.corrupt += r.corrupt;
}
