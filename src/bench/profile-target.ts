/**
 * The process `npm run profile` and `npm run profile:native` observe: one core running one
 * workload in-process (the lab runs in a process of its own), for a fixed time, then exit.
 *   node dist/bench/profile-target.js --core rust|ssh2 --workload mid|bulk|echo [--duration 20s]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDuration } from '../util/args.js';
import { LabProcess } from '../lab/process.js';
import { POLL_COMMAND, sessionOptions, streamCommand } from '../lab/target.js';
import { loadPool } from '../core/load.js';
import { native } from '../core/native.js';
import { bulk, latency } from './worker.js';

export const WORKLOADS = ['mid', 'bulk', 'echo'] as const;

const { values } = parseArgs({
  options: { core: { type: 'string', default: 'rust' }, workload: { type: 'string', default: 'mid' }, duration: { type: 'string', default: '20s' } },
});
const core = values.core as 'rust' | 'ssh2';
// perf follows children too (the lab is one, running the same addon): say which process is ours.
if (process.env.PROFILE_PID_FILE) writeFileSync(process.env.PROFILE_PID_FILE, `${process.pid}\n`);
const durationMs = parseDuration(values.duration!, '--duration');
// profile:native points the core's loader at its build with symbols; the lab's addon reads the same
// variable, so the core is loaded now and the lab started without it.
if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) {
  if (core === 'rust') native();
  delete process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
}
const lab = await LabProcess.start();
const session = { ...sessionOptions(lab.info), kex: ['curve25519-sha256'], ciphers: ['aes128-gcm@openssh.com'] };
try {
  if (values.workload === 'bulk') {
    const r = await bulk({ kind: 'bulk', core, session, bytes: 1e9, seconds: 0 });
    process.stderr.write(`bulk: ${r.mbPerS.toFixed(0)} MB/s, ${r.cpuSPerGb.toFixed(2)} CPU s/GB\n`);
  } else if (values.workload === 'echo') {
    await latency({ kind: 'latency', core, session, handshakes: 20, roundTrips: 20, keystrokes: Math.round(durationMs / 60) });
  } else {
    // 10 sessions with the mid PTY stream and exec polling every 5 s (the plan's load).
    const pool = await loadPool(core);
    const sessions = await Promise.all(Array.from({ length: 10 }, () => pool.open(session)));
    for (const s of sessions) {
      const shell = await s.openShell();
      shell.on('data', () => {});
      shell.write(`${streamCommand(lab.info, 'mid', 0)}\r`);
    }
    const poll = setInterval(() => sessions.forEach((s) => void s.exec(POLL_COMMAND).catch(() => {})), 5_000);
    await new Promise((r) => setTimeout(r, durationMs));
    clearInterval(poll);
    await pool.close();
  }
} finally {
  await lab.stop();
}
