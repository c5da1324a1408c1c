/** `ssh-spike demo`: a few sessions through the plan's fault scenarios, state transitions printed. */
import { parseArgs } from 'node:util';
import type { Session, SessionState, StateEvent } from '../core/contract.js';
import { createPool } from '../core/index.js';
import { TERMINAL_STATES } from '../core/tables.js';
import { EmbeddedLab } from '../lab/embedded.js';
import { FaultLab, type LabTarget, type Routed } from '../lab/fault-lab.js';
import { SshdTarget } from '../lab/sshd.js';
import { sessionOptions } from '../lab/target.js';
import { compress, compressedPolicy, isScenarioId, SCENARIOS, type Scenario, type ScenarioId } from '../scenarios/index.js';
import { parseIntArg, UsageError } from '../util/args.js';

export const DEMO_USAGE = `ssh-spike demo [--core rust|ssh2] [--scenario F1..F5|all] [--target embedded|openssh]
              [--sessions 3] [--fast]

Runs a few sessions through each fault scenario of the plan and prints every state transition.
  --core       which core (default rust)
  --scenario   F0..F5, or all (default all)
  --target     the embedded lab (default) or this machine's sshd
  --sessions   how many sessions (default 3)
  --fast       timings divided by 5 (a dead link is noticed in 1.6 s instead of 8 s)`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      core: { type: 'string', default: 'rust' },
      scenario: { type: 'string', default: 'all' },
      target: { type: 'string', default: 'embedded' },
      sessions: { type: 'string', default: '3' },
      fast: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const core = values.core!;
  if (core !== 'rust' && core !== 'ssh2') throw new UsageError(`--core must be rust or ssh2, got ${JSON.stringify(core)}`);
  const ids: ScenarioId[] =
    values.scenario === 'all'
      ? ['F1', 'F2', 'F3', 'F4', 'F5']
      : [values.scenario!].map((s) => {
          if (!isScenarioId(s)) throw new UsageError(`--scenario must be F0..F5 or all, got ${JSON.stringify(s)}`);
          return s;
        });
  if (values.target !== 'embedded' && values.target !== 'openssh') {
    throw new UsageError(`--target must be embedded or openssh, got ${JSON.stringify(values.target)}`);
  }
  const n = parseIntArg(values.sessions!, '--sessions', 1, 100);
  const factor = values.fast ? 5 : 1;

  let target: LabTarget;
  let stopTarget: () => Promise<void>;
  if (values.target === 'embedded') {
    const lab = await EmbeddedLab.start();
    target = { info: lab.info, control: lab };
    stopTarget = async () => lab.stop();
  } else {
    const sshd = await SshdTarget.start();
    target = { info: sshd.info, control: sshd };
    stopTarget = () => sshd.stop();
  }
  const t0 = Date.now();
  const say = (who: string, what: string) => process.stdout.write(`+${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${who.padEnd(8)} ${what}\n`);
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.once('SIGINT', onSigint);
  try {
    for (const id of ids) {
      if (interrupted) break;
      const scenario = factor > 1 ? compress(SCENARIOS[id], factor) : SCENARIOS[id];
      process.stdout.write(`\n${id}: ${scenario.title} - expected: ${scenario.expect}\n`);
      await runScenario(scenario, core, n, target, factor, say, () => interrupted);
    }
  } finally {
    process.off('SIGINT', onSigint);
    await stopTarget();
  }
  return interrupted ? 130 : 0;
}

async function runScenario(
  scenario: Scenario,
  core: 'rust' | 'ssh2',
  n: number,
  target: LabTarget,
  factor: number,
  say: (who: string, what: string) => void,
  interrupted: () => boolean,
): Promise<void> {
  const faults = new FaultLab();
  faults.onEvent = (what, r) =>
    say(
      'fault',
      `${what} ${r.fault} ${Object.entries(r.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} on ${r.routes.join(',')}`,
    );
  const pool = createPool({ core });
  const policy = factor > 1 ? compressedPolicy(factor) : {};
  const sessions: { session: Session; routed: Routed }[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const routed = await faults.route(target);
      const session = pool.createSession({ ...sessionOptions(routed.info), ...policy, targetId: target.control.name });
      session.on('state', (e: StateEvent) => say(session.id, `${e.previous} -> ${e.state}${e.cause ? ` (${e.cause}${e.code ? ` ${e.code}` : ''})` : ''}`));
      session.on('attempt', (e) => say(session.id, `attempt ${e.attempt} after ${Math.round(e.delayMs)} ms`));
      sessions.push({ session, routed });
    }
    await Promise.all(sessions.map((s) => s.session.connect()));
    const settle = () => new Promise((r) => setTimeout(r, 2_000 / factor));
    await settle();
    const records = [];
    for (const step of scenario.steps) {
      const routes = step.on === 'all' ? sessions.map((s) => s.routed.routeId) : [sessions[0]!.routed.routeId];
      records.push(await faults.inject(step.fault, { durationMs: step.durationMs, ...step.params } as never, routes));
    }
    for (const r of records) await faults.healed(r.id);
    // wait until every session is ready again or waits for the user
    const deadline = Date.now() + 60_000 / factor;
    const settled = () => sessions.every((s) => s.session.state === 'ready' || (TERMINAL_STATES as readonly SessionState[]).includes(s.session.state));
    while (!interrupted() && Date.now() < deadline && !settled()) await new Promise((r) => setTimeout(r, 100));
    if (scenario.manualReconnect) {
      for (const s of sessions.filter((x) => x.session.state === 'manual_reconnect_required')) {
        say(s.session.id, 'reconnect() called by the user');
        await s.session.reconnect().catch((e: Error) => say(s.session.id, `reconnect() failed: ${e.message}`));
      }
    }
    await settle();
  } finally {
    await pool.close();
    await faults.stop();
  }
}
