/**
 * The package as a new user gets it: `npm run pack`'s tarballs (the package and its platform
 * packages) installed into a fresh project with no cargo on PATH, then the README's example run
 * there on both cores against the lab that the installed `ssh-spike lab` starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORES, runNode } from '../helpers.js';

/** npm's own script, run on this test's Node (the Node CI runs on). */
function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && /npm-cli\.js$/.test(fromNpm)) return fromNpm;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'npm');
    if (dir && existsSync(p)) return realpathSync(p);
  }
  throw new Error('npm is not on PATH');
}

/** The environment of a user without a Rust toolchain: PATH keeps node and no directory that has cargo. */
function withoutCargo(): NodeJS.ProcessEnv {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'cargo')));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [dirname(process.execPath), ...dirs].join(delimiter) };
  // Not the repo's npm run: the parent's npm_* settings (its prefix, its package) would leak in.
  const keep = new Set(['npm_config_cache', 'npm_config_registry']);
  for (const k of Object.keys(env)) if ((k.startsWith('npm_') && !keep.has(k)) || k.startsWith('CARGO') || k.startsWith('RUSTUP')) delete env[k];
  return env;
}

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('the packed package, installed into a fresh project', () => {
  const work = mkdtempSync(join(tmpdir(), 'ssh-spike-package-'));
  const project = join(work, 'project');
  const env = withoutCargo();
  let tarballs: string[] = [];

  beforeAll(async () => {
    const pack = await runNode(['scripts/pack.mjs', '--out', join(work, 'tarballs')], 120_000);
    expect(pack.err).toBe('');
    expect(pack.code).toBe(0);
    tarballs = pack.out.trim().split('\n');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    // --prefer-offline: ssh2 and the rest come from npm's cache when the repo's `npm ci` put them there.
    const install = await runNode([npmCli(), 'install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], 300_000, { cwd: project, env });
    expect(install.code, install.err).toBe(0);
  }, 420_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('has no Rust toolchain to fall back on', () => {
    expect(spawnSync('cargo', ['--version'], { env }).error).toMatchObject({ code: 'ENOENT' });
  });

  it('is the package and one package per addon for this platform', () => {
    expect(tarballs.map((t) => t.split('/').pop())).toEqual([
      'ssh-spike-0.1.0.tgz',
      'ssh-spike-linux-x64-gnu-0.1.0.tgz',
      'ssh-spike-lab-linux-x64-gnu-0.1.0.tgz',
    ]);
    const published = JSON.parse(readFileSync(join(project, 'node_modules', 'ssh-spike', 'package.json'), 'utf8'));
    expect(published.optionalDependencies).toEqual({ 'ssh-spike-linux-x64-gnu': '0.1.0', 'ssh-spike-lab-linux-x64-gnu': '0.1.0' });
    expect(published.scripts.prepare).toBeUndefined();
  });

  it('ships JavaScript, types and loaders, and neither Rust sources nor binaries', () => {
    const shipped = files(join(project, 'node_modules', 'ssh-spike'));
    expect(shipped).toEqual(
      expect.arrayContaining(['index.js', 'index.d.ts', 'lab-addon/index.js', 'dist/index.js', 'dist/index.d.ts', 'bin/ssh-spike.js', 'bench/policy.json']),
    );
    expect(
      shipped.filter((f) => f.endsWith('.node') || f.endsWith('.rs') || f.startsWith('crates/') || f === 'Cargo.toml' || f.startsWith('scripts/')),
    ).toEqual([]);
    expect(files(join(project, 'node_modules', 'ssh-spike-linux-x64-gnu'))).toEqual(['package.json', 'ssh-core.linux-x64-gnu.node']);
    expect(files(join(project, 'node_modules', 'ssh-spike-lab-linux-x64-gnu'))).toEqual(['package.json', 'ssh-lab.linux-x64-gnu.node']);
  });

  it('brings no benchmark-only package', () => {
    const installed = readdirSync(join(project, 'node_modules'));
    for (const devOnly of ['russh', '@napi-rs', 'rxjs', 'tinybench', 'clinic', 'vitest', 'typescript']) expect(installed).not.toContain(devOnly);
  });

  it('runs the README example on both cores against the lab its `ssh-spike lab` starts', async () => {
    const version = await runNode(['node_modules/ssh-spike/bin/ssh-spike.js', '--version'], 15_000, { cwd: project, env });
    expect(version.out.trim()).toContain('0.1.0');
    copyFileSync('examples/quickstart.mjs', join(project, 'quickstart.mjs'));
    const labDir = join(project, '.lab');
    const lab = spawn(process.execPath, ['node_modules/ssh-spike/bin/ssh-spike.js', 'lab', '--dir', labDir, '--duration', '60s'], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    lab.stdout.on('data', (d) => (out += d));
    lab.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => lab.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 300 && !out.includes('lab listening') && lab.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      expect(out, err).toContain('lab listening');
      const r = await runNode(['quickstart.mjs', labDir], 60_000, { cwd: project, env });
      expect(r.err).toBe('');
      for (const core of CORES) {
        expect(r.out).toContain(`${core}: exec said "hello", exit 0`);
        expect(r.out).toContain(`${core}: the shell printed "hi there"`);
      }
      expect(r.code).toBe(0);
    } finally {
      lab.kill('SIGINT');
      await exited;
    }
  }, 120_000);
});
