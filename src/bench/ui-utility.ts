/**
 * The core in a utility process of its own (the UI path's second architecture): it runs the
 * terminals and sends their output to the main process over Node IPC (advanced serialization);
 * the main process relays it to the UI, and pauses and resumes a terminal as the UI's acks ask
 * (flow control). Forked by ui-path.ts; exits on stop or when the main process goes away.
 */
import { type TerminalSink, Terminals, type TerminalsSpec } from './terminals.js';

/** Main to utility. */
export type UtilityRequest =
  | { type: 'open'; spec: TerminalsSpec }
  | { type: 'key'; terminal: number; text: string }
  | { type: 'pause'; terminal: number }
  | { type: 'resume'; terminal: number }
  | { type: 'usage'; id: number }
  | { type: 'stop' };

/** Utility to main. */
export type UtilityReply =
  | { type: 'opened'; terminals: number }
  /** A terminal's shell is open (sent before its first byte); whether its core can pause it. */
  | { type: 'shell'; terminal: number; canPause: boolean }
  | { type: 'failed'; error: string }
  | { type: 'data'; terminal: number; bytes: Uint8Array }
  | { type: 'reopen'; terminal: number }
  | { type: 'usage'; id: number; cpuMs: number; rssBytes: number };

function send(reply: UtilityReply): void {
  process.send?.(reply);
}

if (process.send) {
  let terminals: Terminals | undefined;
  const stop = async () => {
    await terminals?.close().catch(() => {});
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('message', async (m: UtilityRequest) => {
    switch (m.type) {
      case 'open': {
        const sink: TerminalSink = {
          data: (terminal, bytes) => send({ type: 'data', terminal, bytes }),
          reopen: (terminal) => send({ type: 'reopen', terminal }),
          opened: (terminal, canPause) => send({ type: 'shell', terminal, canPause }),
        };
        try {
          terminals = new Terminals(m.spec);
          await terminals.open(sink);
          send({ type: 'opened', terminals: terminals.count });
        } catch (err) {
          send({ type: 'failed', error: (err as Error).message });
        }
        break;
      }
      case 'key':
        try {
          terminals?.write(m.terminal, m.text);
        } catch {
          // reconnecting: the key is lost, as a person's would be
        }
        break;
      case 'pause':
        terminals?.pause(m.terminal);
        break;
      case 'resume':
        terminals?.resume(m.terminal);
        break;
      case 'usage': {
        const cpu = process.cpuUsage();
        send({ type: 'usage', id: m.id, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage.rss() });
        break;
      }
      case 'stop':
        await stop();
        break;
    }
  });
}
