#!/usr/bin/env node
// Builds the two native addons through `napi build`: the core (crates/ssh-core, which also writes
// the root index.js / index.d.ts) and the lab (crates/ssh-lab-napi, into lab-addon/), then
// compiles the TypeScript to dist/, and checks that ssh2's optional native crypto loads in the running
// Node (rebuilding it when it does not). Runs on `npm install`.
//   --native-only   skip TypeScript      --ts-only   skip the addon
//   --debug         debug build of the addon (faster to compile, slower to run)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePatchedRussh } from './patch-russh.mjs';

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
  // russh with the per-channel window hold, unpacked and patched into target/patched (Cargo.toml).
  try {
    await ensurePatchedRussh();
  } catch (err) {
    console.error(`ssh-spike: ${err.message}`);
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

// ssh2's optional native crypto (OpenSSL AES-GCM and ChaCha20-Poly1305) and cpu-features are
// compiled by their install scripts with node-gyp, against the headers in npm's `nodedir` when one
// is set. A machine whose npm points at another Node's headers (here ~/.npmrc has nodedir=/usr,
// Node 20's, while the project runs on Node 24) gets a binding the running Node refuses to load,
// and ssh2 then falls back, silently, to node:crypto per packet: about three times the CPU at the
// plan's load. The comparison would then be against a handicapped ssh2, so the binding is checked
// here and, when it does not load, rebuilt against the running Node's own headers.
function ssh2BindingLoads() {
  const probe = "process.stdout.write(String(require('ssh2/lib/protocol/crypto.js').bindingAvailable))";
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'true';
}

/** The directory holding include/node for exactly this Node, or undefined. */
function runningNodeHeaders() {
  const exe = realpathSync(process.execPath);
  const candidates = [
    process.env.npm_config_nodedir,
    join(dirname(exe), '..'), // a tarball or a distribution's layout: <prefix>/bin/node, <prefix>/include/node
    join(dirname(exe), '..', 'node_modules', `node-${process.platform}-${process.arch}`), // the npm registry's `node` package
    process.config.variables.node_prefix,
  ];
  for (const dir of candidates) {
    if (!dir) continue;
    const header = join(dir, 'include', 'node', 'node_version.h');
    if (!existsSync(header)) continue;
    const text = readFileSync(header, 'utf8');
    const part = (name) => /\d+/.exec(new RegExp(`#define ${name}\\s+(\\d+)`).exec(text)?.[1] ?? '')?.[0];
    if (`${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}` === process.versions.node) return dir;
  }
  return undefined;
}

if (!args.has('--native-only') && existsSync(join(root, 'node_modules', 'ssh2')) && !ssh2BindingLoads()) {
  const headers = runningNodeHeaders();
  const npm = process.env.npm_execpath;
  if (headers) {
    console.error(`ssh-spike: ssh2's native crypto binding does not load in Node ${process.versions.node}; rebuilding it against ${headers}`);
    const [cmd, pre] = npm ? [process.execPath, [npm]] : ['npm', []];
    spawnSync(cmd, [...pre, 'rebuild', 'ssh2', 'cpu-features', '--foreground-scripts'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, npm_config_nodedir: headers },
    });
  }
  if (!ssh2BindingLoads()) {
    console.error(
      `ssh-spike: warning: ssh2's native crypto binding does not load in Node ${process.versions.node}, so the ssh2 core\n` +
        '  will decrypt with node:crypto per packet (about three times its CPU): not ssh2 at its best.\n' +
        (headers
          ? '  Rebuilding it failed (see above): it needs a C++ compiler, make and Python.\n'
          : `  No headers for Node ${process.versions.node} were found: install them, then run\n` +
            '  `npm_config_nodedir=<dir holding include/node> npm rebuild ssh2`.\n') +
        '  bench:compare refuses to run against ssh2 without it (see its --ssh2-without-binding).',
    );
  }
}
