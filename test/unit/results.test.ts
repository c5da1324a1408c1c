/**
 * The results page: records read back from their manifests and rendered with the plan's table,
 * the verdicts, the answer of every bench:compare run and what would change it; the recorder
 * refuses a record that would mix commits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Comparison, SSH2_FALLBACK_CRYPTO } from '../../src/bench/compare.js';
import { buildReport } from '../../src/report/model.js';
import { type Manifest, parseManifest, readRecords } from '../../src/results/manifest.js';
import { halfWidth } from '../../src/metrics/intervals.js';
import { renderResultsPage, whatWouldChange } from '../../src/results/page.js';
import { comparison, decide } from '../fixtures/comparisons.js';
import { CRITERIA, timelineRun } from '../fixtures/runs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const COMMIT = 'a8f67b15dd7bd2602aadd91e9bc48dfd91b1fb23';
const MACHINE = { cpu: 'Test CPU', cores: 2, memoryGiB: 23.5, kernel: '6.1.0', node: 'v24.21.0', rust: 'rustc 1.95.0' };

function decided(rustCpu: number, spread?: Partial<Record<string, number[]>>): Comparison {
  const { c, o } = comparison(rustCpu);
  decide(c, o, spread);
  return c;
}

/** A record folder with a spike report and the given comparisons. */
function writeRecord(root: string, name: string, comparisons: Comparison[]): void {
  const dir = join(root, name);
  const report = buildReport([timelineRun('rust'), timelineRun('ssh2')], CRITERIA, { cores: ['rust', 'ssh2'] }, new Date('2026-12-05T12:00:00Z'));
  const run = (kind: 'spike' | 'compare', d: string) => ({
    kind,
    dir: d,
    command: kind === 'spike' ? 'npm run spike -- --out {out}' : 'npm run bench:compare -- --out {out}',
    startedAt: '2026-12-05T12:00:00.000Z',
    endedAt: '2026-12-05T12:30:00.000Z',
    exitCode: 0,
    load: { mean: 1.02, max: 1.4, samples: 30 },
    alongside: 'an editor',
  });
  const manifest: Manifest = {
    schema: 'ssh-spike/results@1',
    commit: COMMIT,
    machine: MACHINE,
    runs: [run('spike', 'spike'), ...comparisons.map((_, i) => run('compare', `compare-${i + 1}`))],
  };
  mkdirSync(join(dir, 'spike'), { recursive: true });
  writeFileSync(join(dir, 'spike', 'report.json'), JSON.stringify(report));
  comparisons.forEach((c, i) => {
    mkdirSync(join(dir, `compare-${i + 1}`), { recursive: true });
    writeFileSync(join(dir, `compare-${i + 1}`, 'compare.json'), JSON.stringify(c));
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

describe('the results page', () => {
  it('carries the record table, the verdicts with the plan\u2019s next step, every answer and the machine', () => {
    const root = mkdtempSync(join(tmpdir(), 'ssh-spike-results-'));
    writeRecord(root, '2026-12-05', [decided(1.8), decided(1.8), decided(1.8)]);
    const page = renderResultsPage(readRecords(root));
    expect(page).toContain('## 2026-12-05, commit a8f67b1');
    expect(page).toContain('Machine: Test CPU, 2 cores, 23.5 GiB, Linux 6.1.0, Node v24.21.0, rustc 1.95.0.');
    expect(page).toContain(
      '| [compare-2](2026-12-05/compare-2/) | `npm run bench:compare -- --out {out}` | 2026-12-05 12:00 - 12:30 | 0 | 1.02 / 1.40 (30 samples) | an editor |',
    );
    expect(page).toContain('| Run ID | Topology (A/B) | Sessions |');
    expect(page).toContain('| r1-rust | A | 3 | 2m | F5 Many sessions drop at once | 3/3 | 3.0 / 22.0 | 0 |');
    expect(page).toContain('| rust | **Partial success** | improve keepalive / reconnect policy / channel usage, then re-run |');
    // the reasons cell: the heading, then each missed criterion on a line of its own, as the spike's own report shows them
    expect(page).toMatch(/then re-run \| stable \(no abnormal end\), but:<br>[^|<;]+ \|/);
    // the fixture's ssh2 recovers 70 of 90: it misses the plan, and every run says so
    expect(page).toContain('**Every run gives the same answer: The Rust core: the ssh2 core misses the plan.**');
    expect(page).toMatch(/\| ssh2: the plan \| misses reconnect >= 90% usable within 15 s \(compressed x6, all trials\) \(70\/90 = 78% \[68-85\]\) \|/);
    // rust at 1.8% against ssh2's 4%: 0.45 with the exact paired ratios of the fixture
    expect(page).toContain("| CPU at the plan's mid load (3) | 0.45 [0.45-0.45] rust | 0.45 [0.45-0.45] rust | 0.45 [0.45-0.45] rust | +/-0% |");
    expect(page).toContain('#### What would change the answer (compare-3)');
  });

  it('says when the runs disagree, and how many gave each answer', () => {
    const root = mkdtempSync(join(tmpdir(), 'ssh-spike-results-'));
    const { c, o } = comparison(4);
    c.stability.ssh2 = c.stability.rust;
    decide(c, o);
    writeRecord(root, '2026-12-05', [decided(1.8), c, decided(1.8)]);
    const page = renderResultsPage(readRecords(root));
    expect(page).toMatch(/\*\*The runs disagree:\*\* 2 x "The Rust core: the ssh2 core misses the plan", 1 x "[^"]+"\./);
  });

  it('names the smallest set of differences whose loss would change a decided answer', () => {
    const { c, o } = comparison(1.8);
    c.stability.ssh2 = c.stability.rust;
    decide(c, o);
    const d = c.decision!;
    const lead = d.score.rust - d.score.ssh2;
    expect(lead).toBeGreaterThanOrEqual(d.policy.decisive);
    const lines = whatWouldChange(c);
    const spare = lead - d.policy.decisive;
    expect(lines[0]).toContain(`it would stop deciding if its differences weighing more than ${spare} vanished`);
    // the heaviest of rust's wins first, until their weight passes what the lead can spare
    const named = [...lines[0]!.matchAll(/\(weight (\d+),/g)].map((m) => Number(m[1]));
    expect(named.reduce((a, b) => a + b, 0)).toBeGreaterThan(spare);
    expect(named.slice(0, -1).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(spare);
    expect(named).toEqual([...named].sort((a, b) => b - a));
    expect(lines.at(-1)).toContain('--policy FILE');
  });

  it('puts the plan first when a core misses it', () => {
    const lines = whatWouldChange(decided(1.8));
    expect(lines[0]).toMatch(/^The plan comes first: the ssh2 core misses reconnect >= 90%/);
  });

  it('measures an interval\u2019s half-width against its estimate', () => {
    expect(halfWidth({ estimate: 0.5, lo: 0.45, hi: 0.6 })).toBeCloseTo(0.2, 9);
    expect(halfWidth(null)).toBeNaN();
  });

  it('warns on top of the answers when a run measured ssh2 without its native crypto, and prints a run\u2019s caveat', () => {
    const root = mkdtempSync(join(tmpdir(), 'ssh-spike-results-'));
    const fallback = decided(1.8);
    fallback.settings = { ...fallback.settings, ssh2: [['crypto', SSH2_FALLBACK_CRYPTO]] };
    const native = decided(1.8);
    native.settings = { ...native.settings, ssh2: [['crypto', "ssh2's native binding (OpenSSL)"]] };
    writeRecord(root, '2026-12-05', [native, fallback, native]);
    const manifestPath = join(root, '2026-12-05', 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    m.runs[0]!.caveat = 'found later: its ssh2 may have run on the fallback';
    writeFileSync(manifestPath, JSON.stringify(m));
    const page = renderResultsPage(readRecords(root));
    expect(page).toContain('**Caution: compare-2 measured ssh2 without its native crypto binding**');
    expect(page).toContain('Those answers do not hold for ssh2 as it should be installed');
    expect(page).toContain('**Caveat (spike):** found later: its ssh2 may have run on the fallback');
    writeRecord(root, 'all-native', [native]);
    const clean = (renderResultsPage(readRecords(root)).split('## all-native')[1] ?? '').split('\n## ')[0]!;
    expect(clean).not.toContain('Caution');
    expect(() => parseManifest(JSON.stringify({ ...m, runs: [{ ...m.runs[0], caveat: 3 }] }), 'm.json')).toThrow('runs[0].caveat must be a string when given');
  });

  it('a bad manifest fails with what to fix', () => {
    const ok = { schema: 'ssh-spike/results@1', commit: COMMIT, machine: MACHINE, runs: [] };
    expect(() => parseManifest(JSON.stringify({ ...ok, commit: 'main' }), 'm.json')).toThrow('m.json: \'commit\' must be a git commit id, got "main"');
    expect(() => parseManifest(JSON.stringify({ ...ok, runs: [{ kind: 'spike', dir: '../x' }] }), 'm.json')).toThrow(
      'runs[0].dir must be a folder name inside the record',
    );
    expect(() => parseManifest('{', 'm.json')).toThrow(/^m\.json: not JSON/);
    const root = mkdtempSync(join(tmpdir(), 'ssh-spike-results-'));
    writeRecord(root, 'r', [decided(1.8)]);
    writeFileSync(join(root, 'r', 'compare-1', 'compare.json'), JSON.stringify({ schema: 'ssh-spike/report@1' }));
    expect(() => readRecords(root)).toThrow(/compare-1\/compare\.json: schema "ssh-spike\/report@1", expected "ssh-spike\/compare@1"/);
  });

  it('the committed page is what the committed records give', () => {
    const dir = join(ROOT, 'docs', 'results');
    if (!existsSync(join(dir, 'README.md'))) return;
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(renderResultsPage(readRecords(dir)));
  });
});

describe('scripts/record.mjs', () => {
  const git = (cwd: string, ...args: string[]) =>
    spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-C', cwd, ...args], { encoding: 'utf8' });
  const record = (checkout: string, out: string, dir: string) =>
    spawnSync(
      process.execPath,
      [
        join(ROOT, 'scripts', 'record.mjs'),
        '--record',
        out,
        '--dir',
        dir,
        '--kind',
        'compare',
        '--checkout',
        checkout,
        '--alongside',
        'a test',
        '--',
        process.execPath,
        '-e',
        'console.log(process.argv[1])',
        '{out}',
      ],
      { encoding: 'utf8' },
    );

  it('lists each run with its commit, machine and command, and refuses a run of another commit', () => {
    const repo = mkdtempSync(join(tmpdir(), 'ssh-spike-checkout-'));
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'a.txt'), 'one');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-qm', 'one');
    const out = join(mkdtempSync(join(tmpdir(), 'ssh-spike-record-')), '2026-12-05');
    const first = record(repo, out, 'compare-1');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(join(out, 'compare-1'));
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.commit).toBe(git(repo, 'rev-parse', 'HEAD').stdout.trim());
    expect(m.machine.cores).toBeGreaterThan(0);
    expect(m.runs).toMatchObject([{ kind: 'compare', dir: 'compare-1', exitCode: 0, alongside: 'a test' }]);
    expect(m.runs[0].command).toContain(join(out, 'compare-1'));
    expect(readFileSync(join(out, 'compare-1', 'stdout.txt'), 'utf8').trim()).toBe(join(out, 'compare-1'));

    writeFileSync(join(repo, 'a.txt'), 'two');
    const dirty = record(repo, out, 'compare-2');
    expect(dirty.status).toBe(2);
    expect(dirty.stderr).toContain('has changes not committed');
    git(repo, 'commit', '-qam', 'two');
    const other = record(repo, out, 'compare-2');
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/holds runs of [0-9a-f]{40}, this checkout is at [0-9a-f]{40}; start a new record folder/);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).runs).toHaveLength(1);
  });
});
