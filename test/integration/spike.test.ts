/**
 * The spike runner end to end through the real binary: a short run of both cores writes all three
 * reports; Ctrl-C still writes a report marked partial; bad options fail before anything starts.
 * (Behaviour only: no speed or resource figure is asserted here.)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../schemas.js';
import { kernelModeUnavailable } from '../../src/lab/netns.js';
import { SshdTarget, sshdUnavailableReason } from '../../src/lab/sshd.js';
import { eventually } from '../helpers.js';

function spike(
  args: string[],
  options: { detached?: boolean } = {},
): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, ['bin/ssh-spike.js', 'soak', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return { child, done: new Promise((r) => child.on('exit', (code) => r({ code, out, err }))) };
}

describe('spike runner', () => {
  it('a short run of both cores writes report.md, report.json and report.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-run-'));
    const r = await spike(['--core', 'all', '--duration', '25s', '--sessions', '3', '--out', dir, '--seed', '7']).done;
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(schemaErrors('report', report)).toEqual([]);
    expect(report.schema).toBe('ssh-spike/report@1');
    expect(report.runs.map((x: { core: string }) => x.core)).toEqual(['rust', 'ssh2']);
    const failed = Object.values(report.verdicts).some((v) => (v as { outcome: string }).outcome === 'failure');
    expect(r.code).toBe(failed ? 1 : 0);
    for (const run of report.runs) {
      expect(run.abnormalEnds).toBe(0);
      expect(run.integrityErrors).toBe(0);
      expect(run.compression).toBeGreaterThan(1);
      expect(run.series.samples.length).toBeGreaterThan(15);
      expect(run.interrupts.map((i: { scenario: string }) => i.scenario)).toEqual(['F1', 'F2', 'F3', 'F4', 'F5']);
      // The faults a session comes back from by itself: every interrupted session recovered
      // (the policy, gate time included, is compressed with the timeline).
      for (const i of run.interrupts.filter((x: { scenario: string }) => ['F1', 'F3', 'F5'].includes(x.scenario))) {
        expect(i.interrupted, `${run.core} ${i.scenario}`).toBeGreaterThan(0);
        expect(i.recovered, `${run.core} ${i.scenario}`).toBe(i.interrupted);
      }
      expect(run.exec.count).toBeGreaterThan(0);
    }
    expect(report.options.seed).toBe(7);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('## Data record table');
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(r.out).toContain(`reports: ${dir}/report.{md,json,html}`);
  }, 150_000);

  const noKernel = kernelModeUnavailable();
  if (noKernel) it(`--faults kernel is skipped: ${noKernel}`, (ctx) => ctx.skip(noKernel));
  it.skipIf(noKernel)(
    '--faults kernel plays the whole timeline with iptables in namespaces, and leaves none behind',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-kernel-'));
      const run = spike(['--faults', 'kernel', '--core', 'all', '--duration', '25s', '--sessions', '3', '--out', dir, '--seed', '3']);
      const r = await run.done;
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      expect(report.options.faults).toBe('kernel');
      for (const x of report.runs) {
        expect(x.notes, `${x.core}: every fault was applied`).toEqual([]);
        expect(x.abnormalEnds).toBe(0);
        expect(x.interrupts.map((i: { scenario: string }) => i.scenario)).toEqual(['F1', 'F2', 'F3', 'F4', 'F5']);
        for (const i of x.interrupts.filter((y: { scenario: string }) => ['F1', 'F3', 'F5'].includes(y.scenario))) {
          expect(i.interrupted, `${x.core} ${i.scenario}`).toBeGreaterThan(0);
          expect(i.recovered, `${x.core} ${i.scenario}`).toBe(i.interrupted);
        }
      }
      const failed = Object.values(report.verdicts).some((v) => (v as { outcome: string }).outcome === 'failure');
      expect(r.code).toBe(failed ? 1 : 0);
      // Namespaces are named after the process that made them (the runner); its are all gone.
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`sshspike-${run.child.pid! % 100000}-`);
    },
    180_000,
  );

  it('Ctrl-C stops cleanly and still writes a report marked partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-int-'));
    const { child, done } = spike(['--core', 'rust', '--duration', '5m', '--sessions', '2', '--out', dir]);
    await new Promise((r) => setTimeout(r, 6_000));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.partial).toBe(true);
    expect(report.runs[0].partial).toBe(true);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('PARTIAL');
  }, 60_000);

  it('Ctrl-C in a terminal (SIGINT to the whole process group) stops the children in order and still writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-pg-'));
    // Its own process group, as a shell gives a foreground job: the terminal signals all of it.
    const { child, done } = spike(['--core', 'all', '--duration', '5m', '--sessions', '2', '--out', dir], { detached: true });
    await new Promise((r) => setTimeout(r, 7_000));
    const family = descendants(child.pid!);
    expect(family.length).toBeGreaterThanOrEqual(2); // the lab and a worker
    process.kill(-child.pid!, 'SIGINT');
    const r = await done;
    expect(r.err).not.toMatch(/ERR_IPC_CHANNEL_CLOSED|Error:/);
    expect(r.code).toBe(130);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.partial).toBe(true);
    // Nothing is left behind: no lab, proxy, worker or sshd of this run.
    expect(await eventually(() => family.every((pid) => !alive(pid)), 5_000)).toBe(true);
  }, 90_000);

  it.skipIf(sshdUnavailableReason())(
    'a soak against an inventory of real hosts (here: the local sshd) verifies each host key under its own name',
    async () => {
      const sshd = await SshdTarget.start({ maxStartups: '100:30:200' });
      try {
        const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-inv-'));
        // known_hosts in the form OpenSSH writes with HashKnownHosts: hashed names only.
        const [, kind, key] = readFileSync(sshd.info.knownHostsPath, 'utf8').trim().split(/\s+/);
        const hashed = join(dir, 'known_hosts');
        writeFileSync(hashed, `${hashedName(`[${sshd.info.host}]:${sshd.info.port}`)} ${kind} ${key}\n`);
        const inventory = join(dir, 'hosts.json');
        const host = { host: sshd.info.host, port: sshd.info.port, user: sshd.info.username, keyPath: sshd.info.privateKeyPath, knownHosts: hashed };
        writeFileSync(
          inventory,
          JSON.stringify({
            hosts: [
              { name: 'local-a', ...host },
              { name: 'local-b', ...host },
            ],
          }),
        );
        const r = await spike(['--target', inventory, '--core', 'all', '--duration', '20s', '--sessions', '2', '--out', dir]).done;
        expect(r.err).not.toContain('not listed');
        const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
        for (const run of report.runs) {
          expect(run.abnormalEnds).toBe(0);
          expect(run.exec.count).toBeGreaterThan(0);
        }
        const failed = Object.values(report.verdicts).some((v) => (v as { outcome: string }).outcome === 'failure');
        expect(r.code).toBe(failed ? 1 : 0);
      } finally {
        await sshd.stop();
      }
    },
    150_000,
  );

  it('bad options fail before anything starts, saying what to fix', async () => {
    const cases: [string[], RegExp][] = [
      [['--duration', '5x'], /--duration must be a duration like 90s, 5m or 1h/],
      [['--core', 'go'], /--core must be rust or ssh2 or all, got "go"/],
      [['--target', '/nonexistent/hosts.json'], /no such file \(use embedded, openssh, or an inventory JSON file\)/],
      [['--plan', 'seed', '--scenario', 'F1'], /either --plan or --scenario/],
      [['--sesions', '3'], /Unknown option '--sesions'/],
    ];
    for (const [args, message] of cases) {
      const r = await spike(args).done;
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
  }, 60_000);
});

/** Every process below `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p && !out.includes(child)) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** A known_hosts name as `ssh-keygen -H` writes it: |1|salt|HMAC-SHA1(salt, name). */
function hashedName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}
