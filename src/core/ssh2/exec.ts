/**
 * One command on a live connection, as the Rust core's channel.rs runs it: the channel open and
 * exec request bounded by the session's request timeout (or the command's own deadline, whichever
 * comes first), output collected up to maxOutputBytes or streamed to the caller, and a command
 * given up on (timeout, output limit) stopped in the background so it frees its channel slot.
 */
import type { ClientChannel } from 'ssh2';
import type { ExecResult } from '../contract.js';
import { SshError } from '../errors.js';
import type { ResolvedExecOptions } from '../options.js';
import { setup, stop, unanswered } from './channel.js';
import type { Connection } from './connect.js';

/** Runs `command` on `conn`; `noteChannels` hears whether the server gave the channel (no argument) or why not. */
export async function runExec(
  conn: Connection,
  command: string,
  o: ResolvedExecOptions,
  requestMs: number,
  noteChannels: (err?: unknown) => void,
): Promise<ExecResult> {
  const started = performance.now();
  const timedOut = () => new SshError('EXEC_TIMEOUT', `command did not finish within ${o.timeoutMs} ms`);
  // The setup has the session's request bound, unless the exec's own deadline comes first.
  const late = requestMs < o.timeoutMs ? unanswered('channel open and exec request', requestMs) : timedOut;
  // Listeners go on in ssh2's callback (see `setup`), so the outcome may be known before setup
  // resolves: it settles `result`, which is returned once the setup went through.
  let resolveResult!: (r: ExecResult) => void;
  let rejectResult!: (e: SshError) => void;
  const result = new Promise<ExecResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let stream: ClientChannel | undefined;
  const finish = (outcome: { ok: ExecResult } | { err: SshError }) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if ('ok' in outcome) resolveResult(outcome.ok);
    else rejectResult(outcome.err);
  };
  // Given up on: the command is stopped in the background so it frees its channel slot.
  const giveUp = (e: SshError) => {
    if (done) return;
    finish({ err: e });
    if (stream) stop(stream, o.killGraceMs);
  };
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let stdoutBytes = 0;
  let stderrBytes = 0;
  let collected = 0;
  let exit: { code: number | null; signal: string | null } | undefined;
  const keep = (into: Buffer[], chunk: Buffer) => {
    if (collected + chunk.length > o.maxOutputBytes) {
      giveUp(new SshError('EXEC_OUTPUT_LIMIT', `command output passed the limit of ${o.maxOutputBytes} bytes; the command was stopped`));
      return;
    }
    collected += chunk.length;
    into.push(chunk);
  };
  const listen = (s: ClientChannel) => {
    stream = s;
    s.on('data', (chunk: Buffer) => {
      if (done) return;
      stdoutBytes += chunk.length;
      if (o.onStdout) o.onStdout(chunk);
      else keep(stdout, chunk);
    });
    s.stderr.on('data', (chunk: Buffer) => {
      if (done) return;
      stderrBytes += chunk.length;
      if (o.onStderr) o.onStderr(chunk);
      else keep(stderr, chunk);
    });
    s.on('exit', (code: number | null, signal?: string) => {
      exit = { code: code ?? null, signal: signal ?? null };
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (!exit && conn.lost) {
        finish({ err: conn.lost });
        return;
      }
      finish({
        ok: {
          stdout: Buffer.concat(stdout),
          stderr: Buffer.concat(stderr),
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          stdoutBytes,
          stderrBytes,
        },
      });
    });
  };
  try {
    await setup(
      conn,
      Math.min(requestMs, o.timeoutMs),
      late,
      (cb) => conn.client.exec(command, cb),
      listen,
      (s) =>
        // Unanswered in time: the command may be running all the same, so it is stopped.
        stop(s, o.killGraceMs),
    );
  } catch (err) {
    noteChannels(err);
    throw err;
  }
  noteChannels();
  if (!done) timer = setTimeout(() => giveUp(timedOut()), Math.max(0, o.timeoutMs - (performance.now() - started)));
  return result;
}
