/**
 * A CPU hog for `bench:compare --busy`: one process that spins, so the measured worker shares
 * this machine's cores with something else, as a desktop app shares them with the rest of the
 * desktop. It stops by itself after `maxMs` even if nobody stops it.
 */
import { spawn } from 'node:child_process';

export interface Hog {
  stop(): Promise<void>;
}

export function startHog(maxMs: number): Hog {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${Math.round(maxMs)}; while (Date.now() < end) {}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
