/** `ssh-spike results`: writes the results page (docs/results/README.md) from the records under it. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readRecords } from '../results/manifest.js';
import { renderResultsPage } from '../results/page.js';

export const RESULTS_USAGE = `ssh-spike results [--dir docs/results] [--check]

Writes DIR/README.md from every record under DIR (a folder with a manifest.json, written by
scripts/record.mjs, and the reports of the runs it lists).
  --dir DIR     where the records are (default docs/results)
  --check       write nothing; exit 1 when README.md is not what the records give`;

export async function resultsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { dir: { type: 'string', default: 'docs/results' }, check: { type: 'boolean', default: false } },
    strict: true,
  });
  const dir = resolve(values.dir!);
  const page = renderResultsPage(readRecords(dir));
  const path = join(dir, 'README.md');
  if (values.check) {
    const now = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (now === page) return 0;
    process.stderr.write(`ssh-spike: ${path} is stale; run \`npm run results\` and commit it\n`);
    return 1;
  }
  writeFileSync(path, page);
  process.stdout.write(`${path}\n`);
  return 0;
}
