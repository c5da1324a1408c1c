/**
 * Starts the UI stand-in (child.ts) the way the app would reach its renderer, and talks to it:
 * `ipc`, a process of its own over Node's IPC channel (advanced serialization, so bytes cross as
 * bytes); `port`, a worker thread over its MessagePort (Electron's MessagePortMain crosses to
 * another process; here the port stays in one, so it shows the cost of the channel, not of a
 * second process).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { siblingEntry } from '../lab/process.js';
import type { UiChildOptions } from './child.js';
import type { RelayMessage, UiMessage, UiResources, UiStats } from './frames.js';

export const UI_TRANSPORTS = ['ipc', 'port'] as const;
export type UiTransport = (typeof UI_TRANSPORTS)[number];

/** How long the stand-in may take to start or to answer a stats request. */
const UI_ANSWER_TIMEOUT_MS = 10_000;

export class UiHost {
  readonly transport: UiTransport;
  /** The stand-in's process id (the host's own for a worker thread). */
  readonly pid: number;
  readonly #send: (msg: RelayMessage) => void;
  readonly #exited: Promise<unknown>;
  readonly #kill: () => void;
  readonly #listeners: ((msg: UiMessage) => void)[] = [];
  readonly #waiting = new Map<number, (reply: { stats: UiStats; resources: UiResources }) => void>();
  #nextId = 1;

  private constructor(transport: UiTransport, pid: number, send: (msg: RelayMessage) => void, exited: Promise<unknown>, kill: () => void) {
    this.transport = transport;
    this.pid = pid;
    this.#send = send;
    this.#exited = exited;
    this.#kill = kill;
  }

  /** Starts the stand-in and waits until it says it is ready. */
  static async start(transport: UiTransport, options: UiChildOptions): Promise<UiHost> {
    const entry = siblingEntry(import.meta.url, 'child');
    let host: UiHost;
    if (transport === 'ipc') {
      const child: ChildProcess = fork(entry.path, [JSON.stringify(options)], {
        execArgv: entry.execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      host = new UiHost(
        'ipc',
        child.pid ?? 0,
        (m) => child.send(m),
        once(child, 'exit'),
        () => child.kill(),
      );
      child.on('message', (m: UiMessage) => host.#dispatch(m));
    } else {
      const worker = new Worker(entry.path, { workerData: options, execArgv: entry.execArgv });
      host = new UiHost(
        'port',
        process.pid,
        (m) => worker.postMessage(m),
        once(worker, 'exit'),
        () => void worker.terminate(),
      );
      worker.on('message', (m: UiMessage) => host.#dispatch(m));
    }
    await host.#next((m) => m.type === 'ready', 'start');
    return host;
  }

  send(msg: RelayMessage): void {
    this.#send(msg);
  }

  /** Every message the stand-in sends (keys, acks). */
  onMessage(fn: (msg: UiMessage) => void): void {
    this.#listeners.push(fn);
  }

  /** What the stand-in saw so far, and its CPU and RSS. */
  stats(): Promise<{ stats: UiStats; resources: UiResources }> {
    const id = this.#nextId++;
    this.send({ type: 'stats', id });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`the UI stand-in (${this.transport}) did not answer a stats request within ${UI_ANSWER_TIMEOUT_MS} ms`));
      }, UI_ANSWER_TIMEOUT_MS);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  /** Tells the stand-in to stop and waits for it (killing it if it does not go). */
  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.#kill(), UI_ANSWER_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  #dispatch(msg: UiMessage): void {
    if (msg.type === 'stats-reply') {
      this.#waiting.get(msg.id)?.({ stats: msg.stats, resources: msg.resources });
      this.#waiting.delete(msg.id);
      return;
    }
    for (const fn of this.#listeners) fn(msg);
  }

  #next(match: (m: UiMessage) => boolean, what: string): Promise<UiMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#kill();
        reject(new Error(`the UI stand-in (${this.transport}) did not ${what} within ${UI_ANSWER_TIMEOUT_MS} ms`));
      }, UI_ANSWER_TIMEOUT_MS);
      const on = (m: UiMessage) => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.#listeners.splice(this.#listeners.indexOf(on), 1);
        resolve(m);
      };
      this.#listeners.push(on);
    });
  }
}
