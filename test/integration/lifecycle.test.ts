/** Processes end cleanly: no handle left after close, the lab process and the CLI stop by themselves. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, sessionOptions, type TargetInfo } from '../../src/index.js';
import { EmbeddedLab } from '../../src/lab/embedded.js';
import { LabProcess } from '../../src/lab/process.js';
import { CORES, runNode as run } from '../helpers.js';

/** An embedded lab for the enclosing describe block, its target written to a file a child process reads. */
function labInfoFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-life-'));
  const path = join(dir, 'target.json');
  let lab: EmbeddedLab | undefined;
  beforeAll(async () => {
    lab = await EmbeddedLab.start();
    writeFileSync(path, JSON.stringify(lab.info));
  });
  afterAll(() => lab?.stop());
  return path;
}

describe('a closed pool leaves no handle behind', () => {
  const infoPath = labInfoFile();

  for (const core of CORES) {
    it(`${core}: the process exits by itself after pool.close()`, async () => {
      const r = await run(['--import', 'tsx', 'test/fixtures/open-close.ts', core, infoPath], 20_000);
      expect(r.err).toBe('');
      expect(r.out.trim()).toBe('exec-ok closed');
      expect(r.code).toBe(0);
    });

    it(`${core}: closed pools are garbage, not kept alive by native callbacks`, async () => {
      const r = await run(['--expose-gc', '--import', 'tsx', 'test/fixtures/pool-gc.ts', core, infoPath], 30_000);
      expect(r.err).toBe('');
      expect(r.out.trim()).toBe('5/5');
      expect(r.code).toBe(0);
    });
  }
});

describe('the Rust addon loads only when a rust pool needs it', () => {
  const infoPath = labInfoFile();

  it('importing the package and using the ssh2 core leave it unloaded; the first rust pool loads it', async () => {
    const r = await run(['test/fixtures/lazy-addon.mjs', infoPath], 20_000);
    expect(r.err).toBe('');
    expect(r.out.trim()).toBe('import:false ssh2:ok:false rust:ok:true');
    expect(r.code).toBe(0);
  });
});

describe('the lab in a process of its own', () => {
  it('serves sessions, reports itself, and stops', async () => {
    const lab = await LabProcess.start();
    try {
      expect(lab.pid).not.toBe(process.pid);
      const pool = createPool({ core: 'rust' });
      const s = await pool.open(sessionOptions(lab.info));
      expect((await s.exec('echo from-lab-process')).stdout.toString()).toBe('from-lab-process\n');
      const stats = await lab.stats();
      expect(stats.server.connectionsActive).toBe(1);
      expect(stats.resources.rssBytes).toBeGreaterThan(0);
      expect(await lab.killConnections()).toBe(1);
      await pool.close();
    } finally {
      await lab.stop();
    }
    expect(() => process.kill(lab.pid, 0)).toThrow();
  });
});

describe('the fault lab in the lab process', () => {
  it('drives faults over IPC on one session of two, each on its own loopback server (topology A)', async () => {
    const lab = await LabProcess.start({
      targets: [
        { kind: 'embedded', host: '127.0.0.2' },
        { kind: 'embedded', host: '127.0.0.3' },
      ],
    });
    const pool = createPool({ core: 'ssh2' });
    try {
      expect(lab.targets.map((t) => t.info.host)).toEqual(['127.0.0.2', '127.0.0.3']);
      const routes = [await lab.route(0), await lab.route(1)];
      const fast = { keepaliveIntervalMs: 250, degradedAfterMs: 400, reconnect: { baseDelayMs: 50, maxDelayMs: 200 } };
      const sessions = await Promise.all(routes.map((r) => pool.open({ ...sessionOptions(r.info), ...fast, targetId: r.target })));
      const states: string[][] = [[], []];
      for (const [i, s] of sessions.entries()) s.on('state', (e) => states[i]!.push(e.state));
      const record = await lab.inject('cut', { durationMs: 1_500 }, [routes[0]!.routeId]);
      expect(record).toMatchObject({ fault: 'cut', routes: [routes[0]!.routeId], params: { durationMs: 1_500 } });
      await new Promise((r) => setTimeout(r, 3_500));
      expect(states[0]).toEqual(['degraded', 'reconnecting', 'ready']);
      expect(states[1]).toEqual([]);
      const log = await lab.faultLog();
      expect(log[0]!.healedAtMs! - log[0]!.appliedAtMs).toBeGreaterThanOrEqual(1_500);
    } finally {
      await pool.close();
      await lab.stop();
    }
  });
});

describe('ssh-spike lab (the real binary)', () => {
  it('writes lab.json, serves both cores, and stops on Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-cli-'));
    const child = spawn(process.execPath, ['bin/ssh-spike.js', 'lab', '--dir', dir, '--duration', '20s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 200 && !out.includes('lab listening'); i++) await new Promise((r) => setTimeout(r, 50));
    const info = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as TargetInfo;
    expect(out).toContain(`lab listening on 127.0.0.1:${info.port}`);
    expect(out).not.toContain(info.password!);
    for (const core of CORES) {
      const pool = createPool({ core });
      const s = await pool.open(sessionOptions(info, 'password'));
      expect((await s.exec(`echo ${core}`)).stdout.toString()).toBe(`${core}\n`);
      await pool.close();
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it("runs the README's library example as written (examples/quickstart.mjs)", async () => {
    const example = readFileSync('examples/quickstart.mjs', 'utf8');
    // The README shows the file itself, so what a reader copies is what this test runs.
    expect(readFileSync('README.md', 'utf8')).toContain(`\`\`\`js\n${example}\`\`\``);
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-cli-'));
    const child = spawn(process.execPath, ['bin/ssh-spike.js', 'lab', '--dir', dir, '--duration', '30s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 200 && !out.includes('lab listening'); i++) await new Promise((r) => setTimeout(r, 50));
      const r = await run(['examples/quickstart.mjs', dir], 30_000);
      expect(r.err).toBe('');
      for (const core of CORES) {
        expect(r.out).toContain(`${core}: exec said "hello", exit 0`);
        expect(r.out).toContain(`${core}: the shell printed "hi there"`);
        expect(r.out).toContain(`${core}: ready -> closed`);
      }
      expect(r.code).toBe(0);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it('stops by itself at the end of --duration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-cli-'));
    const r = await run(['bin/ssh-spike.js', 'lab', '--dir', dir, '--duration', '1s'], 15_000);
    expect(r.code).toBe(0);
    expect(r.out).toContain('stops by itself in 1s');
    expect(r.err).toContain('lab stopped');
  });

  it('rejects a bad option before starting anything', async () => {
    const r = await run(['bin/ssh-spike.js', 'lab', '--duration', 'soon'], 10_000);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--duration must be a duration like 90s, 5m or 1h, got "soon"');
  });
});
