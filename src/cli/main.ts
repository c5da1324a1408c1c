/** The `ssh-spike` command. Argument parsing and progress only; the work lives in the modules. */
import { UsageError } from './args.js';
import { DEMO_USAGE, demoCommand } from './demo.js';
import { LAB_USAGE, labCommand } from './lab.js';
import { SPIKE_USAGE, spikeCommand } from './spike.js';

const USAGE = `usage: ssh-spike <command> [options]

commands:
  lab      run the embedded SSH lab (the default target) for manual use
  demo     a few sessions through the plan's fault scenarios F1-F5, state transitions printed
  soak     run the SPIKE-2 plan on both cores and write its reports (same as npm run spike)

${LAB_USAGE}

${DEMO_USAGE}

${SPIKE_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lab':
        return await labCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      case 'soak':
      case 'spike':
        return await spikeCommand(rest);
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
