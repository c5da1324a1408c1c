#!/usr/bin/env node
// npm run pack: the tarballs a release would publish, the way napi-rs projects publish: the
// package itself (JavaScript, types, the two addons' loaders, no Rust sources and no binaries) and
// one package per platform and addon holding the built `.node` file, which the package lists as
// optional dependencies so that npm installs only the one matching the machine.
//   node scripts/pack.mjs [--out DIR]     (default: pack/; needs `npm run build` first)
// Prints the tarballs' paths, one per line. Packs from a staging copy: the repo is not changed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const pkg = readJson(join(root, 'package.json'));
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'pack') } } });
const out = resolve(values.out);

// The platform packages built here: npm/<dir>/package.json, whose `main` names the binary it
// carries, and the folder `napi build` writes that binary to.
const PLATFORM_PACKAGES = [
  { dir: 'npm/linux-x64-gnu', builtIn: '.' },
  { dir: 'npm/lab-linux-x64-gnu', builtIn: 'lab-addon' },
].map((p) => {
  const manifest = readJson(join(root, p.dir, 'package.json'));
  return { ...p, manifest, binary: join(p.builtIn, manifest.main) };
});

function fail(msg) {
  console.error(`pack: ${msg}`);
  process.exit(1);
}

function npmPack(dir) {
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  if (r.error || r.status !== 0) fail(`npm pack in ${dir} failed: ${r.error?.message ?? r.stderr.trim()}`);
  const [info] = JSON.parse(r.stdout);
  return join(out, info.filename);
}

for (const f of ['dist/index.js', ...PLATFORM_PACKAGES.map((p) => p.binary)]) {
  if (!existsSync(join(root, f))) fail(`${f} is missing; run \`npm run build\` first.`);
}
mkdirSync(out, { recursive: true });
const staging = mkdtempSync(join(tmpdir(), 'ssh-spike-pack-'));
const tarballs = [];
const optional = {};
try {
  for (const p of PLATFORM_PACKAGES) {
    const { manifest } = p;
    if (manifest.version !== pkg.version) fail(`${p.dir}/package.json is version ${manifest.version}, the package ${pkg.version}: make them equal.`);
    const dir = join(staging, manifest.name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    cpSync(join(root, p.binary), join(dir, manifest.main));
    tarballs.push(npmPack(dir));
    optional[manifest.name] = pkg.version;
  }

  const dir = join(staging, pkg.name);
  mkdirSync(dir);
  for (const f of [...pkg.files, 'README.md']) cpSync(join(root, f), join(dir, f), { recursive: true });
  // What a published package.json holds: no build script (a tarball has nothing to build), and the
  // platform packages as optional dependencies (as `napi prepublish` adds them).
  const { prepare: _prepare, ...scripts } = pkg.scripts;
  const published = { ...pkg, scripts, optionalDependencies: { ...pkg.optionalDependencies, ...optional } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  tarballs.unshift(npmPack(dir));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
process.stdout.write(`${tarballs.join('\n')}\n`);
