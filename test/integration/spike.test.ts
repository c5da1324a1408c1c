/**
 * The spike runner end to end through the real binary: a short run of both cores writes all three
 * reports; Ctrl-C still writes a report marked partial; bad options fail before anything starts.
 * (Behaviour only: no speed or resource figure is asserted here.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function spike(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, ['bin/ssh-spike.js', 'soak', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      expect(run.exec.count).toBeGreaterThan(0);
    }
    expect(report.options.seed).toBe(7);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('## Data record table');
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(r.out).toContain(`reports: ${dir}/report.{md,json,html}`);
  }, 150_000);

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
