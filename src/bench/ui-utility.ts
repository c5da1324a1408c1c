/**
 * The core in a utility process of its own (the UI path's second architecture): it runs the
 * terminals and sends their output to the main process over Node IPC (advanced serialization);
 * the main process relays it to the UI. Flow control is this process's own: it keeps a gate per
 * terminal over the bytes it sent and the UI has not acked yet (the main process passes the UI's
 * acks on), and pauses a terminal's shell the moment it crosses the high watermark, so a flood
 * does not pile up in the IPC channel and the main process while a pause travels back. Output
 * crosses to the main process batched per frame (ui/batch.ts), as the main process's relay
 * batches it for the UI; the gate counts bytes as they come from the shell.
 * Forked by ui-path.ts; exits on stop or when the main process goes away.
 */
import { FrameBatcher, type FrameBatcherStats } from '../ui/batch.js';
import { FlowGate } from '../ui/flow.js';
import { type TerminalSink, Terminals, type TerminalsSpec } from './terminals.js';

/** Main to utility. */
export type UtilityRequest =
  | { type: 'open'; spec: TerminalsSpec }
  | { type: 'key'; terminal: number; text: string }
  /** The UI drew `bytes` more of the terminal's output. */
  | { type: 'ack'; terminal: number; bytes: number }
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
  /**
   * This process's CPU and RSS, its gates' pauses so far (and those the core could not make), and
   * its batcher's chunks in and messages out: the batching of the core's own output.
   */
  | { type: 'usage'; id: number; cpuMs: number; rssBytes: number; pauses: number; pausesUnavailable: number; batch: FrameBatcherStats };

function send(reply: UtilityReply): void {
  process.send?.(reply);
}

if (process.send) {
  let terminals: Terminals | undefined;
  const gates: FlowGate[] = [];
  const gate = (terminal: number) => (gates[terminal] ??= new FlowGate());
  let pauses = 0;
  let pausesUnavailable = 0;
  const batcher = new FrameBatcher((terminal, bytes) => send({ type: 'data', terminal, bytes }));
  const stop = async () => {
    await terminals?.close().catch(() => {});
    batcher.close();
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('message', async (m: UtilityRequest) => {
    switch (m.type) {
      case 'open': {
        const sink: TerminalSink = {
          data: (terminal, bytes) => {
            batcher.push(terminal, bytes);
            if (gate(terminal).sent(bytes.length) === 'pause') {
              pauses++;
              if (!terminals?.pause(terminal)) pausesUnavailable++;
            }
          },
          reopen: (terminal) => {
            batcher.flush(terminal);
            send({ type: 'reopen', terminal });
          },
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
        batcher.input(m.terminal);
        try {
          terminals?.write(m.terminal, m.text);
        } catch {
          // reconnecting: the key is lost, as a person's would be
        }
        break;
      case 'ack':
        if (gate(m.terminal).acked(m.bytes) === 'resume') terminals?.resume(m.terminal);
        break;
      case 'usage': {
        const cpu = process.cpuUsage();
        send({
          type: 'usage',
          id: m.id,
          cpuMs: (cpu.user + cpu.system) / 1000,
          rssBytes: process.memoryUsage.rss(),
          pauses,
          pausesUnavailable,
          batch: batcher.stats,
        });
        break;
      }
      case 'stop':
        await stop();
        break;
    }
  });
}
