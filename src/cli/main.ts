/** The `ssh-spike` command. Argument parsing and progress only; the work lives in the modules. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../util/args.js';
import { DEMO_USAGE, demoCommand } from './demo.js';
import { LAB_USAGE, labCommand } from './lab.js';
import { RESULTS_USAGE, resultsCommand } from './results.js';
import { SPIKE_USAGE, spikeCommand } from './spike.js';

const USAGE = `usage: ssh-spike <command> [options]

commands:
  version  print the version (also --version)
  lab      run the embedded SSH lab (the default target) for manual use
  demo     a few sessions through the plan's fault scenarios F1-F5, state transitions printed
  soak     run the SPIKE-2 plan on both cores and write its reports (same as npm run spike)
  results  write the results page (docs/results/README.md) from the records under it

${LAB_USAGE}

${DEMO_USAGE}

${SPIKE_USAGE}

${RESULTS_USAGE}`;

const COMMAND_USAGE: Record<string, string> = { lab: LAB_USAGE, demo: DEMO_USAGE, soak: SPIKE_USAGE, spike: SPIKE_USAGE, results: RESULTS_USAGE };

/** The version in package.json (src/cli and dist/cli are both two levels below it). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * `--sessions -3` as `--sessions=-3`: node's parser would take the negative number for an
 * option and answer "argument is ambiguous"; this way the option's own range check answers.
 */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a.startsWith('--') && !a.includes('=') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const rest = joinNegativeValues(args);
  if (command && COMMAND_USAGE[command] && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${COMMAND_USAGE[command]}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'lab':
        return await labCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      case 'soak':
      case 'spike':
        return await spikeCommand(rest);
      case 'results':
        return await resultsCommand(rest);
      case '--version':
      case '-V':
      case 'version':
        process.stdout.write(`ssh-spike ${version()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ssh-spike: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`ssh-spike: ${(err as Error).message}\n`);
    return 1;
  }
}
