/**
 * Entry of the lab process: runs the embedded lab and answers control requests from the parent
 * over IPC. It exits when told to, when its parent goes away, or at the end of its lifetime.
 */
import { EmbeddedLab, type EmbeddedLabOptions } from './embedded.js';

export interface LabChildOptions extends EmbeddedLabOptions {
  /** The lab stops by itself after this long. */
  maxLifetimeMs: number;
}

export type LabRequest =
  | { id: number; op: 'stats' }
  | { id: number; op: 'stopListening' }
  | { id: number; op: 'resumeListening' }
  | { id: number; op: 'killConnections' }
  | { id: number; op: 'setAuthRevoked'; revoked: boolean }
  | { id: number; op: 'stop' };

const send = (msg: unknown) => process.send?.(msg);

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as LabChildOptions;
  const lab = await EmbeddedLab.start(options);
  const stop = (code: number) => {
    lab.stop();
    process.exit(code);
  };
  setTimeout(() => stop(0), options.maxLifetimeMs).unref();
  process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('message', async (req: LabRequest) => {
    try {
      let value: unknown;
      switch (req.op) {
        case 'stats':
          value = { server: lab.stats(), resources: lab.resources() };
          break;
        case 'stopListening':
          lab.stopListening();
          break;
        case 'resumeListening':
          await lab.resumeListening();
          break;
        case 'killConnections':
          value = lab.killConnections();
          break;
        case 'setAuthRevoked':
          lab.setAuthRevoked(req.revoked);
          break;
        case 'stop':
          send({ id: req.id, ok: true });
          stop(0);
          return;
      }
      send({ id: req.id, ok: true, value });
    } catch (err) {
      send({ id: req.id, ok: false, error: (err as Error).message });
    }
  });
  send({ type: 'ready', info: lab.info, dir: lab.dir });
}

main().catch((err: Error) => {
  send({ type: 'failed', error: err.message });
  process.exit(1);
});
