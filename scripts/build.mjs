#!/usr/bin/env node
// Builds the two native addons through `napi build`: the core (crates/ssh-core, which also writes
// the root index.js / index.d.ts) and the lab (crates/ssh-lab-napi, into lab-addon/), then
// compiles the TypeScript to dist/. Runs on `npm install`.
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
  const profile = args.has('--debug') ? [] : ['--release'];
  console.error(`ssh-spike: building the Rust core (${args.has('--debug') ? 'debug' : 'release'}); a first build takes a few minutes`);
  // The core addon (what a library user loads): root index.js, index.d.ts, ssh-core.<platform>.node.
  const core = ['build', '--platform', '--esm', '-p', 'ssh-core', '--manifest-path', 'crates/ssh-core/Cargo.toml', '-o', '.'];
  run(process.execPath, [napi, ...core, ...profile], 'napi build of the core addon');
  // The lab addon (lab server, fault proxy, key generation, benchmark hooks): lab-addon/.
  const lab = ['build', '--platform', '--esm', '-p', 'ssh-lab-napi', '--manifest-path', 'crates/ssh-lab-napi/Cargo.toml'];
  lab.push('--package-json-path', 'crates/ssh-lab-napi/package.json', '-o', 'lab-addon', '--js', 'index.js', '--dts', 'index.d.ts');
  run(process.execPath, [napi, ...lab, ...profile], 'napi build of the lab addon');
}

if (!args.has('--native-only')) {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'TypeScript build');
}
