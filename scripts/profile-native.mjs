#!/usr/bin/env node
// npm run profile:native -- [--workload mid|bulk|echo] [--duration 20s]
// Records the Rust core with perf: builds the addon with the `profiling` cargo profile (release
// code, symbols kept), runs profile-target on it, and writes perf.data plus a text summary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePatchedRussh } from './patch-russh.mjs';

const { values } = parseArgs({ options: { workload: { type: 'string', default: 'mid' }, duration: { type: 'string', default: '20s' } } });
const probe = spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    'profile:native: perf is not available here (' +
      (probe.error ? 'not installed: apt-get install linux-perf' : (probe.stderr || '').trim().split('\n').at(-1)) +
      '). Use npm run profile for the JS side, or run this where perf can sample (perf_event_paranoid <= 1 or root).',
  );
  process.exit(1);
}
const out = resolve('profile', 'native');
mkdirSync(out, { recursive: true });
await ensurePatchedRussh();
console.error('profile:native: building the addon with symbols (cargo profile "profiling")');
const build = spawnSync(
  process.execPath,
  [
    join('node_modules', '@napi-rs', 'cli', 'dist', 'cli.js'),
    'build',
    '--platform',
    '-p',
    'ssh-core',
    '--manifest-path',
    'crates/ssh-core/Cargo.toml',
    '--profile',
    'profiling',
    '-o',
    out,
    '--no-js',
    '--no-dts-header',
    '--dts',
    'ignored.d.ts',
  ],
  { stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const addon = join(out, 'ssh-core.linux-x64-gnu.node');
if (!existsSync(addon)) {
  console.error(`profile:native: the build did not produce ${addon}`);
  process.exit(1);
}
const data = join(out, `perf-${values.workload}.data`);
const pidFile = join(out, `perf-${values.workload}.pid`);
const rec = spawnSync(
  'perf',
  [
    'record',
    '-g',
    '-F',
    '999',
    '-o',
    data,
    '--',
    process.execPath,
    'dist/bench/profile-target.js',
    '--core',
    'rust',
    '--workload',
    values.workload,
    '--duration',
    values.duration,
  ],
  { stdio: 'inherit', env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: addon, PROFILE_PID_FILE: pidFile } },
);
if (rec.status !== 0) process.exit(rec.status ?? 1);
// Only the client process: the lab process (a child, same addon) is recorded too but left out.
const pid = readFileSync(pidFile, 'utf8').trim();
const report = spawnSync('perf', ['report', '-i', data, '--pid', pid, '--no-children', '--sort', 'comm,dso,sym', '--stdio'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const summary = join(out, `perf-${values.workload}.txt`);
writeFileSync(summary, report.stdout);
console.log(`perf data: ${data} (client pid ${pid}; the lab process is in it too)\nsummary:   ${summary} (client process only; top entries below)`);
console.log(
  report.stdout
    .split('\n')
    .filter((l) => /^\s+\d+\.\d+%/.test(l))
    .slice(0, 25)
    .join('\n'),
);
