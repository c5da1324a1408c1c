#!/usr/bin/env node
// npm run profile -- --core rust|ssh2 --workload mid|bulk|echo [--duration 20s]
// Runs clinic flame on the client (profile-target) and prints where the HTML went. clinic samples
// the JS thread only and shows the Rust addon as one box: use npm run profile:native for Rust.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { core: { type: 'string', default: 'rust' }, workload: { type: 'string', default: 'mid' }, duration: { type: 'string', default: '20s' } },
});
if (!['rust', 'ssh2'].includes(values.core)) {
  console.error(`profile: --core must be rust or ssh2, got ${JSON.stringify(values.core)}`);
  process.exit(2);
}
if (!['mid', 'bulk', 'echo'].includes(values.workload)) {
  console.error(`profile: --workload must be mid, bulk or echo, got ${JSON.stringify(values.workload)}`);
  process.exit(2);
}
const clinic = join('node_modules', '.bin', 'clinic');
if (!existsSync(clinic)) {
  console.error('profile: clinic is not installed; run npm install (it is a dev dependency).');
  process.exit(1);
}
const dest = join('profile', `clinic-${values.core}-${values.workload}`);
const r = spawnSync(
  clinic,
  [
    'flame',
    `--dest=${dest}`,
    '--open=false',
    '--',
    process.execPath,
    'dist/bench/profile-target.js',
    '--core',
    values.core,
    '--workload',
    values.workload,
    '--duration',
    values.duration,
  ],
  // NO_INSIGHT: no metrics prompt and no phoning home; no update check either.
  { stdio: 'inherit', env: { ...process.env, NO_INSIGHT: '1', NO_UPDATE_NOTIFIER: '1' } },
);
if (r.status !== 0) process.exit(r.status ?? 1);
const html = existsSync(dest) ? readdirSync(dest).filter((f) => f.endsWith('.html')) : [];
if (html.length === 0) {
  console.error(`profile: clinic wrote no HTML into ${dest}`);
  process.exit(1);
}
console.log(`flame graph: ${join(dest, html.at(-1))}`);
