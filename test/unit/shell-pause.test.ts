/**
 * A shell's pause (flow control, the contract's `pause`/`resume`) on the ssh2 core, against a
 * stand-in for ssh2's channel stream: a Node Readable as ssh2's is, which ssh2 reads (and so grants
 * the channel's window) only while it flows, and which emits 'close' only once its output was read.
 * Nothing may be lost or reordered, across a reconnect and an exit too. Then the Rust core's JS
 * shell, against a stand-in for its native shell: it keeps what comes while paused and tells the
 * core to hold the channel's window. test/integration/pause.test.ts runs both cores against a server.
 */
import { Duplex, Readable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it, vi } from 'vitest';
import { EventKind, type NativeShell } from '../../index.js';
import type { ShellExit } from '../../src/core/contract.js';
import { SshError } from '../../src/core/errors.js';
import type { Connection } from '../../src/core/ssh2/connect.js';
import { RustShell } from '../../src/core/rust.js';
import { Ssh2Shell } from '../../src/core/ssh2/shell.js';

/** What ssh2 does to a client channel, as far as the shell can tell. */
class FakeChannel extends Duplex {
  readonly stderr = new Readable({ read() {} });
  closeSent = false;

  constructor() {
    super({ read() {}, write: (_c, _e, cb) => cb(), emitClose: false });
  }

  /** The server sends `text` on the channel. */
  send(text: string): void {
    this.push(Buffer.from(text));
  }

  /** The remote end exits: exit status, EOF and close; ssh2 emits 'close' after the output is read. */
  exit(code: number): void {
    this.emit('exit', code);
    this.#eof();
  }

  /** The connection is gone (ssh2 ends every channel of it). */
  lose(): void {
    this.#eof();
  }

  setWindow(): void {}

  close(): boolean {
    this.closeSent = true;
    return true;
  }

  #eof(): void {
    this.push(null);
    this.stderr.push(null);
    this.once('end', () => this.emit('close'));
  }
}

type Event = string;

function setup() {
  const shell = new Ssh2Shell({ term: 'xterm', cols: 80, rows: 24 });
  const events: Event[] = [];
  shell.on('data', (chunk) => events.push(chunk.toString()));
  shell.on('reopen', () => events.push('<reopen>'));
  shell.on('exit', (e: ShellExit) => events.push(`<exit ${e.code}>`));
  const open = () => {
    const channel = new FakeChannel();
    const conn = { lost: undefined } as { lost: SshError | undefined };
    shell.attach(channel as unknown as ClientChannel, conn as unknown as Connection);
    return { channel, conn };
  };
  return { shell, events, open };
}

/** Lets the streams' ticks and the shell's microtasks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('ssh2 shell pause', () => {
  it('says it can pause, holds output while paused and stops reading the channel, then delivers it in order', async () => {
    const { shell, events, open } = setup();
    const { channel } = open();
    expect(shell.canPause).toBe(true);
    channel.send('a');
    await settle();
    expect(shell.pause()).toBe(true);
    expect(shell.pause()).toBe(true);
    expect(shell.paused).toBe(true);
    channel.send('b');
    channel.send('c');
    await settle();
    expect(events).toEqual(['a']);
    // Not flowing: ssh2 grants no window on a channel nobody reads.
    expect(channel.readableFlowing).toBe(false);
    shell.resume();
    expect(shell.paused).toBe(false);
    await settle();
    expect(events.join('')).toBe('abc');
    expect(channel.readableFlowing).toBe(true);
  });

  it('stops delivering at once when a listener pauses again, and goes on where it stopped', async () => {
    const { shell, events, open } = setup();
    const { channel } = open();
    shell.pause();
    for (const c of ['1', '2', '3']) channel.send(c);
    let pauseAgain = true;
    shell.on('data', () => {
      if (pauseAgain) shell.pause();
      pauseAgain = false;
    });
    shell.resume();
    await settle();
    expect(events).toEqual(['1']);
    expect(shell.paused).toBe(true);
    shell.resume();
    await settle();
    expect(events).toEqual(['1', '2', '3']);
  });

  it('keeps a pause across a reconnect: the old output, then the reopen, then the new shell, on resume', async () => {
    const { shell, events, open } = setup();
    const first = open();
    first.channel.send('old1 ');
    await settle();
    shell.pause();
    first.channel.send('old2 ');
    first.channel.send('old3 ');
    first.conn.lost = new SshError('CONNECTION_RESET', 'reset');
    first.channel.lose();
    shell.suspend();
    await settle();
    const second = open();
    shell.reopened();
    second.channel.send('new1');
    await settle();
    expect(events).toEqual(['old1 ']);
    expect(shell.paused).toBe(true);
    expect(shell.ended).toBe(false);
    expect(second.channel.readableFlowing).toBe(false);
    shell.resume();
    await settle();
    expect(events).toEqual(['old1 ', 'old2 old3 ', '<reopen>', 'new1']);
  });

  it('reopens at once when not paused at the drop', async () => {
    const { shell, events, open } = setup();
    const first = open();
    first.channel.send('old');
    await settle();
    first.conn.lost = new SshError('CONNECTION_RESET', 'reset');
    first.channel.lose();
    shell.suspend();
    open();
    shell.reopened();
    expect(events).toEqual(['old', '<reopen>']);
  });

  it('holds the reopen of a paused shell until resume, also with no output held', async () => {
    const { shell, events, open } = setup();
    const first = open();
    shell.pause();
    first.conn.lost = new SshError('CONNECTION_RESET', 'reset');
    first.channel.lose();
    shell.suspend();
    open();
    shell.reopened();
    expect(events).toEqual([]);
    shell.resume();
    expect(events).toEqual(['<reopen>']);
  });

  it('ends after resume when its remote end exits while paused, its output first', async () => {
    const { shell, events, open } = setup();
    const { channel } = open();
    shell.pause();
    channel.send('last words');
    channel.exit(3);
    await settle();
    expect(events).toEqual([]);
    shell.resume();
    expect((await shell.exited).code).toBe(3);
    expect(events).toEqual(['last words', '<exit 3>']);
  });

  it('is reopened, as the Rust core does, when the remote exit status came but the link dropped before the channel closed', async () => {
    const { shell, events, open } = setup();
    const first = open();
    shell.pause();
    first.channel.send('bye');
    first.channel.emit('exit', 0);
    first.conn.lost = new SshError('CONNECTION_RESET', 'reset');
    first.channel.lose();
    shell.suspend();
    expect(shell.ended).toBe(false);
    open();
    shell.reopened();
    await settle();
    expect(events).toEqual([]);
    shell.resume();
    await settle();
    expect(events).toEqual(['bye', '<reopen>']);
    expect(shell.ended).toBe(false);
  });

  it('keeps what it held for the reader when it cannot be reopened, and ends after it', async () => {
    const { shell, events, open } = setup();
    const { channel, conn } = open();
    shell.pause();
    channel.send('held');
    conn.lost = new SshError('CONNECTION_RESET', 'reset');
    channel.lose();
    shell.suspend();
    shell.terminate({ code: null, signal: null, error: new SshError('CHANNEL_REJECTED', 'no') }, 'deliver');
    await settle();
    expect(events).toEqual([]);
    shell.resume();
    const exit = await shell.exited;
    expect(exit.error?.code).toBe('CHANNEL_REJECTED');
    expect(events).toEqual(['held', '<exit null>']);
  });

  it('ends at once on close(), dropping what a pause held and reading the channel empty', async () => {
    const { shell, events, open } = setup();
    const { channel } = open();
    shell.pause();
    channel.send('unwanted');
    shell.close();
    await shell.exited;
    channel.send('late');
    await settle();
    expect(events).toEqual(['<exit null>']);
    expect(channel.closeSent).toBe(true);
    expect(channel.readableFlowing).toBe(true);
    expect(() => shell.write('x')).toThrow(/ended/);
  });

  it('holds output that came before the first listener while paused', async () => {
    const shell = new Ssh2Shell({ term: 'xterm', cols: 80, rows: 24 });
    const channel = new FakeChannel();
    shell.attach(channel as unknown as ClientChannel, { lost: undefined } as unknown as Connection);
    channel.send('prompt$ ');
    await settle();
    shell.pause();
    const seen: string[] = [];
    shell.on('data', (c) => seen.push(c.toString()));
    await settle();
    expect(seen).toEqual([]);
    shell.resume();
    expect(seen).toEqual(['prompt$ ']);
  });
});

describe('rust shell pause', () => {
  function rustSetup() {
    const shell = new RustShell();
    const holds: boolean[] = [];
    const native = {
      setPaused: vi.fn((paused: boolean) => holds.push(paused) > 0),
      close: vi.fn(),
      write: vi.fn(),
      resize: vi.fn(async () => {}),
      routeToUi: vi.fn(),
    };
    shell.attach(native as unknown as NativeShell);
    const events: Event[] = [];
    shell.on('data', (chunk) => events.push(chunk.toString()));
    shell.on('reopen', () => events.push('<reopen>'));
    shell.on('exit', (e: ShellExit) => events.push(`<exit ${e.code}>`));
    const data = (text: string) => shell.onEvent(EventKind.Data, Buffer.from(text));
    return { shell, events, holds, native, data };
  }

  it('holds the window while paused and keeps what still comes, then delivers it in order and releases', async () => {
    const { shell, events, holds, data } = rustSetup();
    expect(shell.canPause).toBe(true);
    await settle();
    data('a');
    expect(shell.pause()).toBe(true);
    expect(shell.pause()).toBe(true);
    expect(holds).toEqual([true]);
    data('b');
    shell.onEvent(EventKind.Reopen, 1234);
    data('c');
    expect(events).toEqual(['a']);
    shell.resume();
    expect(events).toEqual(['a', 'b', '<reopen>', 'c']);
    expect(holds).toEqual([true, false]);
  });

  it('stays paused, window held, when a listener pauses again during a resume', async () => {
    const { shell, events, holds, data } = rustSetup();
    await settle();
    shell.pause();
    for (const c of ['1', '2', '3']) data(c);
    let again = true;
    shell.on('data', () => {
      if (again) shell.pause();
      again = false;
    });
    shell.resume();
    expect(events).toEqual(['1']);
    expect(holds).toEqual([true]);
    shell.resume();
    expect(events).toEqual(['1', '2', '3']);
    expect(holds).toEqual([true, false]);
  });

  it('ends after resume when the remote end exits while paused, its output first', async () => {
    const { shell, events, data } = rustSetup();
    await settle();
    shell.pause();
    data('last words');
    shell.onEvent(EventKind.Exit, { code: 3 });
    await settle();
    expect(events).toEqual([]);
    shell.resume();
    expect((await shell.exited).code).toBe(3);
    expect(events).toEqual(['last words', '<exit 3>']);
  });

  it('ends at once on close() while paused, dropping what it held', async () => {
    const { shell, events, native, data } = rustSetup();
    await settle();
    shell.pause();
    data('dropped');
    shell.close();
    expect(native.close).toHaveBeenCalledOnce();
    // The native close ends the shell: its exit comes as an event, and is not held.
    data('late');
    shell.onEvent(EventKind.Exit, {});
    expect((await shell.exited).code).toBe(null);
    expect(events).toEqual(['<exit null>']);
  });

  it('ends at once on close() when its exit already came and waits behind the pause', async () => {
    const { shell, events, data } = rustSetup();
    await settle();
    shell.pause();
    data('held');
    shell.onEvent(EventKind.Exit, { code: 0 });
    await settle();
    expect(events).toEqual([]);
    shell.close();
    // The core sends no second exit: the close itself ends it, with code and signal null.
    expect((await shell.exited).code).toBe(null);
    expect(events).toEqual(['<exit null>']);
  });

  it('keeps output that came before the first listener and while paused, for one reader, in order', async () => {
    const shell = new RustShell();
    shell.attach({ setPaused: () => true, close() {} } as unknown as NativeShell);
    shell.onEvent(EventKind.Data, Buffer.from('prompt$ '));
    shell.pause();
    shell.onEvent(EventKind.Data, Buffer.from('more'));
    const got: string[] = [];
    shell.on('data', (c) => got.push(c.toString()));
    await settle();
    expect(got).toEqual([]);
    shell.resume();
    expect(got.join('')).toBe('prompt$ more');
  });
});
