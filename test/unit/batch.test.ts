import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameBatcher } from '../../src/ui/batch.js';
import type { RelayMessage, UiMessage } from '../../src/ui/frames.js';
import type { UiHost } from '../../src/ui/host.js';
import { Relay } from '../../src/ui/relay.js';

const text = (b: Uint8Array) => Buffer.from(b).toString();

describe('frame batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000); // on the grid of 16 ms? 1000 = 62 * 16 + 8: half-way through a tick
  });
  afterEach(() => vi.useRealTimers());

  function batcher(options: { windowMs?: number; maxBytes?: number } = {}) {
    const out: [number, string, number][] = [];
    const b = new FrameBatcher((t, bytes) => out.push([t, text(bytes), Date.now()]), { ...options, now: () => Date.now() });
    return { b, out };
  }

  it('delivers a chunk after a quiet window at once, and merges the ones that follow on the next tick of the grid', () => {
    const { b, out } = batcher();
    b.push(0, Buffer.from('a'));
    expect(out).toEqual([[0, 'a', 1_000]]);
    vi.advanceTimersByTime(2);
    b.push(0, Buffer.from('b'));
    vi.advanceTimersByTime(3);
    b.push(0, Buffer.from('c'));
    expect(out).toHaveLength(1);
    // The grid's next tick after 1,002 is 1,008 (63 * 16).
    vi.advanceTimersByTime(2);
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(out).toEqual([
      [0, 'a', 1_000],
      [0, 'bc', 1_008],
    ]);
    // Quiet for a window again: the next chunk goes at once.
    vi.advanceTimersByTime(16);
    b.push(0, Buffer.from('d'));
    expect(out.at(-1)).toEqual([0, 'd', 1_024]);
    expect(b.stats).toEqual({ chunksIn: 4, batchesOut: 3 });
  });

  it('flushes every busy terminal on one tick, each in its own order', () => {
    const { b, out } = batcher();
    for (const t of [0, 1]) b.push(t, Buffer.from(`${t}0`));
    vi.advanceTimersByTime(1);
    for (let i = 1; i <= 3; i++) for (const t of [1, 0]) b.push(t, Buffer.from(`${t}${i}`));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(16);
    expect(out.slice(2).map(([t, s, at]) => [t, s, at])).toEqual([
      [0, '010203', 1_008],
      [1, '111213', 1_008],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends a batch that reaches maxBytes at once, so a terminal holds back at most maxBytes plus a chunk', () => {
    const { b, out } = batcher({ maxBytes: 10 });
    b.push(0, Buffer.from('x'));
    b.push(0, Buffer.from('1234'));
    b.push(0, Buffer.from('5678'));
    expect(out).toHaveLength(1);
    b.push(0, Buffer.from('90'));
    expect(out.map(([, s]) => s)).toEqual(['x', '1234567890']);
  });

  it('sends the first chunk after a key at once, however busy the terminal, with what it held', () => {
    const { b, out } = batcher();
    b.push(0, Buffer.from('l1 '));
    vi.advanceTimersByTime(2);
    b.push(0, Buffer.from('l2 '));
    b.input(0);
    vi.advanceTimersByTime(1);
    b.push(0, Buffer.from('Z'));
    expect(out.map(([, s, at]) => [s, at])).toEqual([
      ['l1 ', 1_000],
      ['l2 Z', 1_003],
    ]);
    // An echo in two chunks goes at once too, within a window of the first; after that the
    // stream's next line waits for the tick again.
    vi.advanceTimersByTime(5);
    b.push(0, Buffer.from('\b \b'));
    expect(out).toHaveLength(3);
    vi.advanceTimersByTime(13);
    b.push(0, Buffer.from('l3 '));
    expect(out).toHaveLength(3);
    vi.advanceTimersByTime(16);
    expect(out.at(-1)?.[1]).toBe('l3 ');
  });

  it('passes every chunk through with a window of 0', () => {
    const { b, out } = batcher({ windowMs: 0 });
    for (const s of ['a', 'b', 'c']) b.push(0, Buffer.from(s));
    expect(out.map(([, s]) => s)).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('delivers what it holds on close, stops its timer, and passes later chunks on at once', () => {
    const { b, out } = batcher();
    b.push(0, Buffer.from('a'));
    b.push(0, Buffer.from('b'));
    b.close();
    expect(out.map(([, s]) => s)).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
    b.push(0, Buffer.from('c'));
    expect(out.map(([, s]) => s)).toEqual(['a', 'b', 'c']);
  });

  it('rejects a window or a size it cannot use', () => {
    expect(() => new FrameBatcher(() => {}, { windowMs: -1 })).toThrow(/windowMs must be a number >= 0/);
    expect(() => new FrameBatcher(() => {}, { maxBytes: 0 })).toThrow(/maxBytes must be an integer >= 1/);
  });
});

describe('relay batching', () => {
  afterEach(() => vi.useRealTimers());

  it("batches a busy session's output per frame, sends its held bytes before a reopen, and counts chunks and messages", () => {
    vi.useFakeTimers();
    const sent: RelayMessage[] = [];
    const ui = { send: (m: RelayMessage) => sent.push(m), onMessage: (_: (m: UiMessage) => void) => {} } as unknown as UiHost;
    const relay = new Relay(ui, 1, { write: () => {} }, {}, { now: () => Date.now() });
    for (let i = 0; i < 5; i++) relay.data(0, Buffer.from(String(i)));
    relay.reopen(0);
    relay.data(0, Buffer.from('n'));
    vi.advanceTimersByTime(16);
    const shown = sent.map((m) => (m.type === 'data' ? text(m.bytes) : m.type));
    // The first chunk after quiet goes at once; the next four wait for the tick, but the reopen sends them first.
    expect(shown).toEqual(['0', '1234', 'reopen', 'n']);
    expect(relay.stats).toMatchObject({ bytesSent: 6, chunksIn: 6, messagesSent: 3, peakUnackedBytes: 6 });
    relay.close();
  });
});
