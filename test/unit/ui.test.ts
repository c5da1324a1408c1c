import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/ui/flow.js';
import { encodeFrame, FRAME_HEADER_BYTES, type Frame, FrameDecoder, type RelayMessage, type UiMessage } from '../../src/ui/frames.js';
import type { UiHost } from '../../src/ui/host.js';
import { Relay, type RelaySource } from '../../src/ui/relay.js';
import { PROBE_CHAR, type UiClock, UiStandIn, type UiStandInOptions } from '../../src/ui/standin.js';
import { seqLine } from '../../src/workload/seq.js';

/** A clock whose time moves only when the test says so, running due timers in order. */
class FakeClock implements UiClock {
  nowMs = 0;
  random?: () => number;
  #timers: { atMs: number; fn: () => void }[] = [];

  now(): number {
    return this.nowMs;
  }

  schedule(fn: () => void, delayMs: number): () => void {
    const timer = { atMs: this.nowMs + delayMs, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const untilMs = this.nowMs + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.atMs <= untilMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.nowMs = due.atMs;
      due.fn();
    }
    this.nowMs = untilMs;
  }
}

function standIn(options: UiStandInOptions = {}) {
  const clock = new FakeClock();
  const sent: UiMessage[] = [];
  const ui = new UiStandIn((m) => sent.push(m), options, clock);
  const data = (session: number, text: string | Buffer) => ui.handle({ type: 'data', session, bytes: Buffer.from(text) });
  return { clock, sent, ui, data };
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => seqLine(from + i)).join('');

function inChunks(text: string, sizeBytes: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += sizeBytes) out.push(text.slice(i, i + sizeBytes));
  return out;
}

describe('UI frame codec', () => {
  const frames: Frame[] = [
    { type: 'data', session: 7, bytes: Buffer.from('SEQ 00000001 \x00\xff bytes') },
    { type: 'ack', session: 70_000, bytes: 65_536 },
  ];
  const stream = Buffer.concat(frames.map((f) => encodeFrame(f)));
  const same = (got: Frame[]) => got.map((f) => (f.type === 'data' ? { ...f, bytes: Buffer.from(f.bytes) } : f));

  it('decodes two frames split at every pair of points', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const d = new FrameDecoder();
        const got = [...d.push(stream.subarray(0, i)), ...d.push(stream.subarray(i, j)), ...d.push(stream.subarray(j))];
        expect(same(got), `split at ${i} and ${j}`).toEqual(frames);
        expect(d.pendingBytes).toBe(0);
      }
    }
  });

  it('decodes control messages with their fields and no session when they have none', () => {
    const msgs: Frame[] = [
      { type: 'typing', sessions: [1, 2] },
      { type: 'stats', id: 3 },
      { type: 'stop' },
      { type: 'reopen', session: 4 },
      { type: 'key', session: 5, char: '\x7f' },
      { type: 'data', session: 6, bytes: Buffer.alloc(0) },
    ];
    const got = new FrameDecoder().push(Buffer.concat(msgs.map((m) => encodeFrame(m))));
    expect(same(got)).toEqual(msgs);
  });

  it('cuts long data into frames under the limit, and rejects a frame over it as soon as its length is read', () => {
    const bytes = Buffer.from(lines(1, 30));
    const encoded = encodeFrame({ type: 'data', session: 1, bytes }, 1024);
    const got = new FrameDecoder(1024).push(encoded);
    expect(got.length).toBe(3);
    expect(Buffer.concat(got.map((f) => (f.type === 'data' ? f.bytes : Buffer.alloc(0))))).toEqual(bytes);

    const d = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(2 ** 31);
    expect(() => d.push(header)).toThrow(/frame of 2147483648 bytes is longer than the 1024-byte limit/);
    expect(d.pendingBytes).toBe(0);
    expect(() => d.push(encodeFrame({ type: 'stop' }))).toThrow(/longer than/);
    expect(() => encodeFrame({ type: 'typing', sessions: Array.from({ length: 500 }, (_, i) => i) }, 1024)).toThrow(/exceeds/);
  });

  it("lays keys and acks out as the Rust core's UI link reads them: the key's UTF-8, the bytes drawn as a u32", () => {
    expect([...encodeFrame({ type: 'key', session: 5, char: 'Z' })]).toEqual([0, 0, 0, 6, 17, 0, 0, 0, 5, 0x5a]);
    expect([...encodeFrame({ type: 'ack', session: 1, bytes: 65_536 })]).toEqual([0, 0, 0, 9, 18, 0, 0, 0, 1, 0, 1, 0, 0]);
    expect(() => encodeFrame({ type: 'ack', session: 1, bytes: 2 ** 32 })).toThrow(/does not fit/);
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 7, 18, 0, 0, 0, 1, 0, 1]))).toThrow(/ack frame carries 2 bytes, not 4/);
  });

  it('rejects a frame shorter than its header and an unknown type', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 2, 1, 0]))).toThrow(/shorter than its header/);
    const bad = encodeFrame({ type: 'stop' });
    bad[4] = 99;
    expect(() => new FrameDecoder().push(bad)).toThrow(/unknown frame type 99/);
    expect(FRAME_HEADER_BYTES).toBe(9);
  });
});

describe('UI stand-in integrity', () => {
  it('finds interleaved sessions intact in any chunking', () => {
    const { ui, data } = standIn();
    const a = inChunks(lines(1, 40), 7);
    const b = inChunks(lines(1, 40), 33);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i]) data(0, a[i]!);
      if (b[i]) data(1, b[i]!);
    }
    const s = ui.stats();
    expect(s.integrity).toEqual({ lines: 80, missing: 0, reordered: 0, corrupt: 0 });
    expect(s.bytesReceived).toBe(8000);
    expect(s.bytesDrawn).toBe(8000);
    expect(s.framesReceived).toBe(a.length + b.length);
    expect(s.sessions).toBe(2);
  });

  it('counts a gap, a reordered line and a corrupt payload, across chunk splits, once drawn', () => {
    const { ui, data, clock } = standIn({ drawBytesPerS: 10_000 });
    const text = seqLine(1) + seqLine(2) + seqLine(4) + seqLine(3) + seqLine(5).replace('SEQ 00000005 ', 'SEQ 00000005 zz') + seqLine(6);
    for (const c of inChunks(text, 13)) data(0, c);
    expect(ui.stats().integrity.lines).toBe(0);
    clock.advance(1000);
    // 3 came late (reordered) and 5 corrupt: both count as skipped where they were due.
    expect(ui.stats().integrity).toEqual({ lines: 5, missing: 2, reordered: 1, corrupt: 1 });
  });

  it('starts a fresh check on reopen, after what came before it is drawn, and keeps the totals', () => {
    const { ui, data, clock } = standIn({ drawBytesPerS: 100_000 });
    data(0, lines(1, 10));
    ui.handle({ type: 'reopen', session: 0 });
    data(0, lines(1, 5));
    expect(ui.stats().bytesDrawn).toBe(0);
    clock.advance(1000);
    const s = ui.stats();
    expect(s.integrity).toEqual({ lines: 15, missing: 0, reordered: 0, corrupt: 0 });
    expect(s.reopens).toBe(1);
    expect(s.queuedBytes).toBe(0);
  });
});

describe('UI flow control under a flood', () => {
  it('keeps queued bytes bounded, loses nothing and pauses a sender faster than the UI draws', () => {
    const sessions = 2;
    const chunkBytes = 8191;
    const drawBytesPerS = 2_000_000;
    const streams = Array.from({ length: sessions }, () => Buffer.from(lines(1, 20_000)));
    const gates = streams.map(() => new FlowGate());
    const sentAt = streams.map(() => 0);
    let resumes = 0;
    const clock = new FakeClock();
    const ui = new UiStandIn(
      (m) => {
        if (m.type === 'ack' && gates[m.session]!.acked(m.bytes) === 'resume') resumes++;
      },
      { drawBytesPerS },
      clock,
    );
    // The sender offers 4 chunks per session every ms (about 33 MB/s each), unless its gate paused it.
    for (let ms = 0; ms < 60_000 && (sentAt.some((at, i) => at < streams[i]!.length) || ui.stats().queuedBytes > 0); ms++) {
      for (let i = 0; i < sessions; i++) {
        for (let k = 0; k < 4 && !gates[i]!.paused && sentAt[i]! < streams[i]!.length; k++) {
          const bytes = streams[i]!.subarray(sentAt[i]!, sentAt[i]! + chunkBytes);
          sentAt[i]! += bytes.length;
          gates[i]!.sent(bytes.length);
          ui.handle({ type: 'data', session: i, bytes });
        }
      }
      clock.advance(1);
    }
    const s = ui.stats();
    const totalBytes = sessions * streams[0]!.length;
    expect(s.integrity).toEqual({ lines: sessions * 20_000, missing: 0, reordered: 0, corrupt: 0 });
    expect(s.bytesDrawn).toBe(totalBytes);
    expect(s.peakQueuedBytes).toBeLessThanOrEqual(sessions * (gates[0]!.highWatermarkBytes + chunkBytes));
    expect(s.peakQueuedBytes).toBeGreaterThan(gates[0]!.highWatermarkBytes);
    for (const g of gates) expect(g.pauses).toBeGreaterThan(1);
    expect(resumes).toBe(gates[0]!.pauses + gates[1]!.pauses);
    // The sender went no faster than the UI drew.
    expect(clock.nowMs).toBeGreaterThanOrEqual((totalBytes / drawBytesPerS) * 1000);
  });
});

describe('relay flow control', () => {
  /** A relay over a UI host stand-in: what it sent, and a way to play the UI's acks. */
  function relayWith(source: RelaySource) {
    const sent: RelayMessage[] = [];
    let toRelay: (msg: UiMessage) => void = () => {};
    const ui = { send: (m: RelayMessage) => sent.push(m), onMessage: (fn: (m: UiMessage) => void) => (toRelay = fn) } as unknown as UiHost;
    const relay = new Relay(ui, 2, source, { highWatermarkBytes: 100, lowWatermarkBytes: 40 });
    return { relay, sent, ack: (session: number, bytes: number) => toRelay({ type: 'ack', session, bytes }) };
  }

  it('pauses the source above the high watermark, resumes it below the low one, and counts a pause it could not make', () => {
    const calls: string[] = [];
    // Session 0's source can pause; session 1's cannot (a Rust-core shell).
    const { relay, ack } = relayWith({
      write: () => {},
      pause: (s) => {
        calls.push(`pause ${s}`);
        return s === 0;
      },
      resume: (s) => calls.push(`resume ${s}`),
    });
    for (const s of [0, 1]) {
      relay.data(s, Buffer.alloc(60));
      relay.data(s, Buffer.alloc(60));
    }
    expect(calls).toEqual(['pause 0', 'pause 1']);
    expect(relay.stats).toMatchObject({ pauses: 2, pausesUnavailable: 1, peakUnackedBytes: 240 });
    ack(0, 81);
    expect(calls.at(-1)).toBe('resume 0');
    ack(1, 81);
    expect(calls.at(-1)).toBe('resume 1');
  });

  it('counts every pause as unavailable when the source offers none', () => {
    const { relay } = relayWith({ write: () => {} });
    relay.data(0, Buffer.alloc(101));
    expect(relay.stats).toMatchObject({ pauses: 1, pausesUnavailable: 1 });
  });

  it("passes every ack on to a source that gates its own output (the utility process's)", () => {
    const acks: [number, number][] = [];
    const { relay, ack } = relayWith({ write: () => {}, acked: (s, bytes) => acks.push([s, bytes]) });
    relay.data(1, Buffer.alloc(50));
    relay.data(0, Buffer.alloc(30));
    ack(1, 20);
    ack(0, 30);
    ack(1, 30);
    expect(acks).toEqual([
      [1, 20],
      [0, 30],
      [1, 30],
    ]);
  });
});

describe('flow gate', () => {
  it('pauses above the high watermark once, resumes below the low one, and counts pauses', () => {
    const g = new FlowGate({ highWatermarkBytes: 100, lowWatermarkBytes: 40 });
    expect(g.sent(100)).toBeUndefined();
    expect(g.sent(1)).toBe('pause');
    expect(g.sent(50)).toBeUndefined();
    expect(g.paused).toBe(true);
    expect(g.acked(111)).toBeUndefined();
    expect(g.unackedBytes).toBe(40);
    expect(g.acked(1)).toBe('resume');
    expect(g.acked(39)).toBeUndefined();
    expect(g.sent(101)).toBe('pause');
    expect(g.pauses).toBe(2);
  });

  it('rejects watermarks out of order and an ack of more than was sent', () => {
    expect(() => new FlowGate({ highWatermarkBytes: 10, lowWatermarkBytes: 10 })).toThrow(/below highWatermarkBytes/);
    expect(new FlowGate().highWatermarkBytes).toBe(1024 * 1024);
    expect(new FlowGate().lowWatermarkBytes).toBe(256 * 1024);
    const g = new FlowGate();
    g.sent(5);
    expect(() => g.acked(6)).toThrow(/exceeds/);
  });
});

describe('UI keystroke probes', () => {
  it('times the echo when it is drawn, then erases it', () => {
    const { ui, sent, data, clock } = standIn();
    expect(ui.probe(3)).toEqual({ type: 'key', session: 3, char: PROBE_CHAR });
    expect(ui.probe(3)).toBeUndefined();
    clock.advance(25);
    data(3, 'x');
    expect(sent).toEqual([]);
    data(3, `${PROBE_CHAR}`);
    expect(sent).toEqual([{ type: 'key', session: 3, char: '\x7f' }]);
    const s = ui.stats();
    expect(s.probes).toEqual({ sent: 1, echoed: 1 });
    expect(s.echo.count).toBe(1);
    expect(s.echo.p50Ms).toBeCloseTo(25, 1);
  });

  it('counts the time an echo waits behind queued output', () => {
    const { ui, data, clock } = standIn({ drawBytesPerS: 1000 });
    ui.probe(0);
    data(0, 'y'.repeat(1000));
    data(0, PROBE_CHAR);
    clock.advance(2000);
    expect(ui.stats().echo.p99Ms).toBeGreaterThanOrEqual(1000);
    expect(ui.stats().echo.p99Ms).toBeLessThan(1100);
  });

  it('types into sessions in turn, skips one with a key in flight, and forgets a key when its shell reopens', () => {
    const { ui, sent, clock } = standIn({ typeEveryMs: 100, typeJitter: 0 });
    ui.handle({ type: 'typing', sessions: [0, 1] });
    clock.advance(100);
    expect(sent).toEqual([
      { type: 'key', session: 0, char: PROBE_CHAR },
      { type: 'key', session: 1, char: PROBE_CHAR },
    ]);
    clock.advance(100);
    expect(sent.length).toBe(2);
    ui.handle({ type: 'reopen', session: 0 });
    clock.advance(50);
    expect(sent.at(-1)).toEqual({ type: 'key', session: 0, char: PROBE_CHAR });
    ui.handle({ type: 'typing', sessions: [] });
    clock.advance(1000);
    expect(sent.length).toBe(3);
    expect(ui.stats().probes).toEqual({ sent: 3, echoed: 0 });
  });

  it('jitters the wait between keys within typeJitter of its mean, so keys meet a periodic stream at every phase', () => {
    const { ui, sent, clock } = standIn({ typeEveryMs: 100, typeJitter: 0.5 });
    // A seeded sequence of draws, the extremes included.
    const draws = [0, 0.999, 0.23, 0.5, 0.77, 0.11];
    let i = 0;
    clock.random = () => draws[i++ % draws.length]!;
    ui.handle({ type: 'typing', sessions: [0] });
    const at: number[] = [];
    for (let t = 0; t < 2000; t++) {
      const before = sent.length;
      clock.advance(1);
      if (sent.length > before) at.push(clock.nowMs);
      // The key is echoed at once, so the next one may go.
      if (sent.length > before) ui.handle({ type: 'data', session: 0, bytes: Buffer.from(PROBE_CHAR) });
    }
    const waits = at.map((a, k) => a - (k ? at[k - 1]! : 0));
    expect(waits.length).toBeGreaterThan(10);
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(50);
      expect(w).toBeLessThanOrEqual(150);
    }
    // Phases against a 10 ms line period: not one, as a fixed 100 ms period would give.
    expect(new Set(waits.map((w) => Math.round(w) % 10)).size).toBeGreaterThan(2);
    expect(() => standIn({ typeJitter: 1 })).toThrow(/typeJitter/);
    expect(() => standIn({ typeJitter: -0.1 })).toThrow(/typeJitter/);
  });
});
