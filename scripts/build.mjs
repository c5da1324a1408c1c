#!/usr/bin/env node
// Builds the native addon (crates/ssh-core through `napi build`, which also writes the root
// index.js / index.d.ts) and compiles the TypeScript to dist/. Runs on `npm install`.
//   --native-only   skip TypeScript      --ts-only   skip the addon
//   --debug         debug build of the addon (faster to compile, slower to run)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));

function run(cmd, cmdArgs, what) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`ssh-spike: ${what} failed (${r.error?.message ?? `exit code ${r.status}`}).`);
    process.exit(1);
  }
}

if (!args.has('--ts-only')) {
  const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  if (cargo.error || cargo.status !== 0) {
    console.error(
      'ssh-spike: building the Rust core needs a Rust toolchain, and `cargo` was not found on PATH.\n' +
        '  Install it with rustup (https://rustup.rs), open a new shell so cargo is on PATH,\n' +
        '  then run `npm install` again.',
    );
    process.exit(1);
  }
  const napi = join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
  if (!existsSync(napi)) {
    console.error('ssh-spike: @napi-rs/cli is missing; run `npm install` (dev dependencies included).');
    process.exit(1);
  }
  const napiArgs = ['build', '--platform', '--esm', '-p', 'ssh-core', '--manifest-path', 'crates/ssh-core/Cargo.toml', '-o', '.'];
  if (!args.has('--debug')) napiArgs.push('--release');
  console.error(`ssh-spike: building the Rust core (${args.has('--debug') ? 'debug' : 'release'}); a first build takes a few minutes`);
  run(process.execPath, [napi, ...napiArgs], 'napi build');
}

if (!args.has('--native-only')) {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'TypeScript build');
}
