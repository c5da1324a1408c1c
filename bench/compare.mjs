#!/usr/bin/env node
// npm run bench:compare: the compare runner, from the compiled sources (the measured workers must
// not run under a TypeScript loader).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bench/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('ssh-spike: not built yet; run `npm install` (or `npm run build`) first.');
  process.exit(1);
}
const { compareCommand } = await import(entry.href);
try {
  process.exitCode = await compareCommand(process.argv.slice(2));
} catch (err) {
  const usage = err?.name === 'UsageError' || String(err?.code ?? '').startsWith('ERR_PARSE_ARGS');
  console.error(`bench:compare: ${err?.message ?? err}`);
  if (usage) console.error(`\n${(await import(entry.href)).COMPARE_USAGE}`);
  process.exitCode = usage ? 2 : 1;
}
