/**
 * Entry of the UI stand-in run on its own: forked with an IPC channel (fork with `serialization:
 * 'advanced'`, so data arrives as bytes; options as JSON in argv[2]) or as a worker thread
 * (messages over parentPort; options in workerData). It answers stats requests and exits on stop,
 * when its parent goes away, or at the end of its lifetime.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { RelayMessage, UiMessage, UiResources } from './frames.js';
import { UiStandIn, type UiStandInOptions } from './standin.js';

export interface UiChildOptions extends UiStandInOptions {
  /** The stand-in stops by itself after this long. */
  maxLifetimeMs: number;
}

/** The parent, however the stand-in was started. */
interface ParentLink {
  thread: boolean;
  send(msg: UiMessage): void;
  onMessage(fn: (msg: RelayMessage) => void): void;
  onGone(fn: () => void): void;
}

function parentLink(): ParentLink {
  if (!isMainThread && parentPort) {
    const port = parentPort;
    return {
      thread: true,
      send: (msg) => port.postMessage(msg),
      onMessage: (fn) => port.on('message', fn),
      onGone: (fn) => port.on('close', fn),
    };
  }
  if (process.send) {
    return {
      thread: false,
      send: (msg) => process.send?.(msg),
      onMessage: (fn) =>
        process.on('message', (msg: RelayMessage) => {
          if (msg.type === 'data' && !(msg.bytes instanceof Uint8Array))
            throw new Error("data arrived as JSON: fork the UI stand-in with serialization: 'advanced'");
          fn(msg);
        }),
      onGone: (fn) => {
        process.on('disconnect', fn);
        process.on('SIGTERM', fn);
      },
    };
  }
  throw new Error('the UI stand-in runs forked with an IPC channel or as a worker thread');
}

/** process.threadCpuUsage (Node 23.9+) is not in @types/node 22. */
type ThreadCpu = () => NodeJS.CpuUsage;

function resources(thread: boolean): UiResources {
  const threadCpu = (process as unknown as { threadCpuUsage?: ThreadCpu }).threadCpuUsage;
  const cpu = thread && threadCpu ? threadCpu.call(process) : process.cpuUsage();
  return { scope: thread ? 'thread' : 'process', cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage.rss() };
}

function main(): void {
  const link = parentLink();
  const options = (link.thread ? workerData : JSON.parse(process.argv[2] ?? '{}')) as UiChildOptions;
  if (!(options.maxLifetimeMs > 0)) throw new Error(`the UI stand-in needs maxLifetimeMs above 0, got ${options.maxLifetimeMs}`);
  const ui = new UiStandIn(link.send, options);
  const stop = () => {
    ui.close();
    process.exit(0);
  };
  setTimeout(stop, options.maxLifetimeMs).unref();
  link.onGone(stop);
  link.onMessage((msg) => {
    switch (msg.type) {
      case 'stats':
        link.send({ type: 'stats-reply', id: msg.id, stats: ui.stats(), resources: resources(link.thread) });
        break;
      case 'stop':
        stop();
        break;
      default:
        ui.handle(msg);
    }
  });
  link.send({ type: 'ready', pid: process.pid, thread: link.thread });
}

main();
