#!/usr/bin/env node
// Runs one command of a results record and lists it in the record's manifest.json
// (ssh-spike/results@1): the commit it ran from, the machine, the exact command, its times, the
// machine's load while it ran and what else ran. `npm run results` builds docs/results/README.md
// from the manifests. A record holds runs of one commit on one machine: this refuses another.
//
//   node scripts/record.mjs --record docs/results/2026-12-05 --dir spike --kind spike \
//     --alongside "nothing" -- npm run spike -- --core all --duration 30m --repeat 2 --out {out}
//
//   --record DIR     the record's folder (created)          --dir NAME   the run's folder in it
//   --kind K         spike (writes report.json) or compare (bench:compare, compare.json)
//   --checkout DIR   the clean checkout to run in (default: this repository)
//   --alongside T    what else runs on the machine meanwhile (default "nothing else")
//   --timeout D      stop the command after D seconds (default 10800)
// `{out}` in the command stands for the run's folder (absolute). Output goes to the terminal and to
// the run's stdout.txt / stderr.txt; the load average every minute to its load.txt.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const fail = (what) => {
  console.error(`record: ${what}`);
  process.exit(2);
};

const split = process.argv.indexOf('--');
if (split < 0 || split === process.argv.length - 1) fail('give the command after --, e.g. -- npm run spike -- --out {out}');
const { values } = parseArgs({
  args: process.argv.slice(2, split),
  options: {
    record: { type: 'string' },
    dir: { type: 'string' },
    kind: { type: 'string' },
    checkout: { type: 'string' },
    alongside: { type: 'string', default: 'nothing else' },
    timeout: { type: 'string', default: '10800' },
  },
  strict: true,
});
if (!values.record) fail('--record DIR is required (e.g. docs/results/2026-12-05)');
if (!values.dir || !/^[\w.-]+$/.test(values.dir) || values.dir.startsWith('.')) fail('--dir must be a plain folder name, e.g. spike or compare-1');
if (values.kind !== 'spike' && values.kind !== 'compare') fail(`--kind must be spike or compare, got ${JSON.stringify(values.kind)}`);
const timeoutS = Number(values.timeout);
if (!(timeoutS > 0)) fail(`--timeout must be a number of seconds, got ${JSON.stringify(values.timeout)}`);

const checkout = resolve(values.checkout ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const git = (...args) => spawnSync('git', ['-C', checkout, ...args], { encoding: 'utf8' });
const head = git('rev-parse', 'HEAD');
if (head.status !== 0) fail(`${checkout} is not a git checkout (${head.stderr.trim()})`);
const commit = head.stdout.trim();
const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim();
if (dirty) fail(`${checkout} has changes not committed; a record holds runs of one commit:\n${dirty}`);

const version = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
};
const cpuModel = (() => {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
})();
const machine = {
  cpu: cpuModel,
  cores: cpus().length,
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  kernel: release(),
  // The Node on PATH is the one the command's npm runs.
  node: version('node', ['--version']),
  rust: version('rustc', ['--version']),
};

const record = resolve(values.record);
const manifestPath = join(record, 'manifest.json');
const readManifest = () => (existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null);
const before = readManifest();
if (before) {
  if (before.commit !== commit) fail(`${manifestPath} holds runs of ${before.commit}, this checkout is at ${commit}; start a new record folder`);
  for (const k of ['cpu', 'cores', 'kernel', 'node', 'rust']) {
    if (before.machine?.[k] !== machine[k])
      fail(`${manifestPath} was made with ${k} ${JSON.stringify(before.machine?.[k])}, this machine has ${JSON.stringify(machine[k])}`);
  }
}
const out = join(record, values.dir);
mkdirSync(out, { recursive: true });
const argv = process.argv.slice(split + 1).map((a) => a.replaceAll('{out}', out));
const command = argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');

const startedAt = new Date();
const loads = [];
const loadLog = createWriteStream(join(out, 'load.txt'));
loadLog.write('# UTC time, 1/5/15-minute load average, the busiest processes (%CPU command)\n');
const sampler = setInterval(() => {
  const avg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3);
  loads.push(Number(avg[0]));
  const top = spawnSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' })
    .stdout.split('\n')
    .slice(0, 4)
    .map((l) => l.trim());
  loadLog.write(`${new Date().toISOString().slice(11, 19)} ${avg.join(' ')} ${top.join('; ')}\n`);
}, 60_000);

console.error(`record: ${commit.slice(0, 7)} ${values.kind} -> ${out}\nrecord: ${command}`);
const child = spawn(argv[0], argv.slice(1), { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
const stdout = createWriteStream(join(out, 'stdout.txt'));
const stderr = createWriteStream(join(out, 'stderr.txt'));
const tee = (file, term) => (b) => {
  file.write(b);
  term.write(b);
};
child.stdout.on('data', tee(stdout, process.stdout));
child.stderr.on('data', tee(stderr, process.stderr));
const killer = setTimeout(() => child.kill('SIGINT'), timeoutS * 1000);
const stop = () => child.kill('SIGINT');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const exitCode = await new Promise((done) => child.on('close', (code) => done(code)));
clearTimeout(killer);
clearInterval(sampler);
loadLog.end();

const run = {
  kind: values.kind,
  dir: values.dir,
  command,
  startedAt: startedAt.toISOString(),
  endedAt: new Date().toISOString(),
  exitCode,
  ...(loads.length
    ? { load: { mean: Math.round((loads.reduce((a, b) => a + b, 0) / loads.length) * 100) / 100, max: Math.max(...loads), samples: loads.length } }
    : {}),
  alongside: values.alongside,
};
// Read again: another run may have been added meanwhile.
const now = readManifest() ?? { schema: 'ssh-spike/results@1', commit, machine, runs: [] };
now.runs = [...now.runs.filter((r) => r.dir !== run.dir), run];
writeFileSync(`${manifestPath}.tmp`, `${JSON.stringify(now, null, 2)}\n`);
renameSync(`${manifestPath}.tmp`, manifestPath);
console.error(`record: ${values.dir} ended with exit code ${exitCode}; listed in ${manifestPath}`);
process.exitCode = exitCode ?? 1;
