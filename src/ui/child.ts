/**
 * Entry of the UI stand-in run on its own: forked with an IPC channel (fork with `serialization:
 * 'advanced'`, so data arrives as bytes; options as JSON in argv[2]) or as a worker thread
 * (messages over parentPort; options in workerData). It answers stats requests and exits on stop,
 * when its parent goes away, or at the end of its lifetime.
 *
 * With `socketPath` it also listens on that Unix socket for one sender that writes terminal output
 * straight to it (the Rust core's UI link): data and reopens come as frames (frames.ts) on the
 * socket, keys and acks go back on it, and only control (typing, stats, stop) uses the parent link.
 */
import { unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { encodeFrame, FrameDecoder, type RelayMessage, type UiMessage, type UiResources } from './frames.js';
import { type StreamMessage, UiStandIn, type UiStandInOptions } from './standin.js';

export interface UiChildOptions extends UiStandInOptions {
  /** The stand-in stops by itself after this long. */
  maxLifetimeMs: number;
  /** Also take terminal output from one sender on this Unix socket (it must not exist yet). */
  socketPath?: string;
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

/**
 * Listens on `path` for the one sender of terminal output; its frames go to `handle`. Returns how
 * to send it keys and acks (dropped until it connects) once the socket listens. A second sender,
 * or a frame that is not data or a reopen, is an error: the stand-in exits with it.
 */
async function listen(path: string, handle: (msg: StreamMessage) => void): Promise<(msg: UiMessage) => void> {
  let sender: Socket | undefined;
  const server = createServer((socket) => {
    if (sender) {
      socket.destroy();
      throw new Error(`a second sender connected to the UI socket ${path}`);
    }
    sender = socket;
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const msg of decoder.push(chunk)) {
        if (msg.type !== 'data' && msg.type !== 'reopen') throw new Error(`the UI socket carried a ${msg.type} frame; it carries data and reopens`);
        handle(msg);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  process.on('exit', () => {
    try {
      unlinkSync(path);
    } catch {
      // gone already
    }
  });
  return (msg) => {
    if (sender && !sender.destroyed) sender.write(encodeFrame(msg));
  };
}

async function main(): Promise<void> {
  const link = parentLink();
  const options = (link.thread ? workerData : JSON.parse(process.argv[2] ?? '{}')) as UiChildOptions;
  if (!(options.maxLifetimeMs > 0)) throw new Error(`the UI stand-in needs maxLifetimeMs above 0, got ${options.maxLifetimeMs}`);
  let toSender: ((msg: UiMessage) => void) | undefined;
  const ui = new UiStandIn((msg) => (toSender ?? link.send)(msg), options);
  if (options.socketPath) toSender = await listen(options.socketPath, (msg) => ui.handle(msg));
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
