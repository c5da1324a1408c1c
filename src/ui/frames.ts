/**
 * What the main process (the relay) and the UI stand-in say to each other, and a binary codec for
 * byte-stream transports (a Unix socket). Node IPC and worker ports carry the messages as they are;
 * a byte stream carries them as frames: `u32 length | u8 type | u32 session | payload`, big-endian,
 * `length` counting everything after itself. Data frames carry the raw bytes, key frames the key's
 * UTF-8 and ack frames the bytes drawn as a `u32`: the frames the Rust core's UI link
 * (crates/ssh-core/src/ui.rs) sends and reads. The others carry the message's remaining fields as
 * JSON (so a NaN figure arrives as null).
 */
import type { LatencySummary } from '../record/record.js';
import type { Integrity } from '../workload/stream.js';

/** Terminal output of one session, in the order the core delivered it. */
export interface DataMessage {
  type: 'data';
  session: number;
  bytes: Uint8Array;
}

/** A key the UI types into a session (a probe character, or a backspace erasing it). */
export interface KeyMessage {
  type: 'key';
  session: number;
  char: string;
}

/** Relay to UI. */
export type RelayMessage =
  | DataMessage
  /** The session's remote shell is new (a reconnect reopened it): its stream starts again. */
  | { type: 'reopen'; session: number }
  /** Type probe keys into these sessions, taking turns (an empty list stops typing). */
  | { type: 'typing'; sessions: number[] }
  | { type: 'stats'; id: number }
  | { type: 'stop' };

/** UI to relay. */
export type UiMessage =
  | { type: 'ready'; pid: number; thread: boolean }
  | KeyMessage
  /** `bytes` more of the session were drawn (flow control, as xterm.js acks a terminal's writes). */
  | { type: 'ack'; session: number; bytes: number }
  | { type: 'stats-reply'; id: number; stats: UiStats; resources: UiResources };

export type Frame = RelayMessage | UiMessage;

/** What the UI stand-in saw, as plain data. */
export interface UiStats {
  /** Sessions that sent data or a reopen. */
  sessions: number;
  /** Sequence-stream integrity over every session, reopened streams included. */
  integrity: Integrity;
  bytesReceived: number;
  /** Data messages received. */
  framesReceived: number;
  bytesDrawn: number;
  /** Received and not drawn yet. */
  queuedBytes: number;
  peakQueuedBytes: number;
  acksSent: number;
  reopens: number;
  /** Probe key to its echo drawn, measured in the UI. */
  echo: LatencySummary;
  probes: { sent: number; echoed: number };
}

/** CPU and memory where the stand-in runs: its own process, or as a worker thread its thread's CPU (RSS is the host process's). */
export interface UiResources {
  scope: 'process' | 'thread';
  cpuMs: number;
  rssBytes: number;
}

/** Bytes before a frame's payload: length, type and session. */
export const FRAME_HEADER_BYTES = 9;
/** @default for the largest frame (the length field) a codec accepts: 1 MiB. */
export const FRAME_MAX_BYTES = 1024 * 1024;

const CODES: Record<Frame['type'], number> = { data: 1, reopen: 2, typing: 3, stats: 4, stop: 5, ready: 16, key: 17, ack: 18, 'stats-reply': 19 };
const TYPES = new Map(Object.entries(CODES).map(([type, code]) => [code, type as Frame['type']]));
const LENGTH_BYTES = 4;

function sessionOf(msg: Frame): number {
  const session = 'session' in msg ? msg.session : 0;
  if (!Number.isInteger(session) || session < 0 || session > 0xffff_ffff) throw new RangeError(`session ${session} does not fit a frame's u32`);
  return session;
}

function frame(code: number, session: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32BE(FRAME_HEADER_BYTES - LENGTH_BYTES + payload.length, 0);
  out.writeUInt8(code, 4);
  out.writeUInt32BE(session, 5);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Encodes a message as frames of at most `maxFrameBytes` (the length field): data longer than
 * that is cut into several data frames; a control message that does not fit is an error.
 */
export function encodeFrame(msg: Frame, maxFrameBytes = FRAME_MAX_BYTES): Buffer {
  const session = sessionOf(msg);
  const code = CODES[msg.type];
  const maxPayloadBytes = maxFrameBytes - (FRAME_HEADER_BYTES - LENGTH_BYTES);
  if (msg.type === 'data') {
    const parts: Buffer[] = [];
    for (let at = 0; at < msg.bytes.length || parts.length === 0; at += maxPayloadBytes) {
      parts.push(frame(code, session, msg.bytes.subarray(at, at + maxPayloadBytes)));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
  if (msg.type === 'key') return frame(code, session, Buffer.from(msg.char, 'utf8'));
  if (msg.type === 'ack') {
    if (!Number.isInteger(msg.bytes) || msg.bytes < 0 || msg.bytes > 0xffff_ffff)
      throw new RangeError(`an ack of ${msg.bytes} bytes does not fit a frame's u32`);
    const n = Buffer.allocUnsafe(4);
    n.writeUInt32BE(msg.bytes, 0);
    return frame(code, session, n);
  }
  const { type: _type, session: _session, ...fields } = msg as Frame & { session?: number };
  const payload = Buffer.from(JSON.stringify(fields));
  if (payload.length > maxPayloadBytes) throw new RangeError(`a ${msg.type} frame of ${payload.length} bytes exceeds the ${maxFrameBytes}-byte frame limit`);
  return frame(code, session, payload);
}

/**
 * Decodes frames from a byte stream pushed in chunks of any size and split. It holds at most one
 * unfinished frame: a length above `maxFrameBytes` is rejected as soon as it is read, and the
 * decoder stays failed (the stream is out of step). A data message's bytes may share memory with
 * the pushed chunk.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #pendingBytes = 0;
  /** Length field of the frame being read, once its prefix arrived. */
  #frameBytes: number | undefined;
  #failure: Error | undefined;

  constructor(maxFrameBytes = FRAME_MAX_BYTES) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < FRAME_HEADER_BYTES - LENGTH_BYTES) {
      throw new RangeError(`maxFrameBytes must be an integer of at least ${FRAME_HEADER_BYTES - LENGTH_BYTES}, got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received that belong to no complete frame yet. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Takes the next chunk of the stream; returns the frames it completed, in order. */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failure) throw this.#failure;
    if (chunk.length) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#pendingBytes += chunk.length;
    }
    const out: Frame[] = [];
    for (;;) {
      if (this.#frameBytes === undefined) {
        if (this.#pendingBytes < LENGTH_BYTES) return out;
        const length = this.#take(LENGTH_BYTES).readUInt32BE(0);
        if (length < FRAME_HEADER_BYTES - LENGTH_BYTES) this.#fail(`a frame of ${length} bytes is shorter than its header`);
        if (length > this.maxFrameBytes) this.#fail(`a frame of ${length} bytes is longer than the ${this.maxFrameBytes}-byte limit`);
        this.#frameBytes = length;
      }
      if (this.#pendingBytes < this.#frameBytes) return out;
      const body = this.#take(this.#frameBytes);
      this.#frameBytes = undefined;
      out.push(this.#decode(body));
    }
  }

  #decode(body: Buffer): Frame {
    const code = body.readUInt8(0);
    const type = TYPES.get(code);
    if (!type) this.#fail(`unknown frame type ${code}`);
    const session = body.readUInt32BE(1);
    const payload = body.subarray(FRAME_HEADER_BYTES - LENGTH_BYTES);
    if (type === 'data') return { type, session, bytes: payload };
    if (type === 'key') return { type, session, char: payload.toString('utf8') };
    if (type === 'ack') {
      if (payload.length !== 4) this.#fail(`an ack frame carries ${payload.length} bytes, not 4`);
      return { type, session, bytes: payload.readUInt32BE(0) };
    }
    let fields: object;
    try {
      fields = JSON.parse(payload.toString('utf8')) as object;
    } catch (err) {
      this.#fail(`a ${type} frame carries bad JSON: ${(err as Error).message}`);
    }
    return (type === 'reopen' ? { ...fields, type, session } : { ...fields, type }) as Frame;
  }

  /** Removes n bytes (n <= pending) from the front; no copy when they lie in one chunk. */
  #take(n: number): Buffer {
    this.#pendingBytes -= n;
    const first = this.#chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    for (let at = 0; at < n; ) {
      const c = this.#chunks[0]!;
      const used = Math.min(c.length, n - at);
      out.set(c.subarray(0, used), at);
      at += used;
      if (used === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(used);
    }
    return out;
  }

  #fail(message: string): never {
    this.#chunks = [];
    this.#pendingBytes = 0;
    this.#failure = new Error(`UI frame decoder: ${message}`);
    throw this.#failure;
  }
}
