/** The command line as a new user meets it: help on every command, a version, range errors that say what to fix. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/ssh-spike.js', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('ssh-spike CLI', () => {
  for (const [command, heading] of [
    ['soak', 'ssh-spike soak'],
    ['spike', 'ssh-spike soak'],
    ['demo', 'ssh-spike demo'],
    ['lab', 'ssh-spike lab'],
  ] as const) {
    it(`${command} --help prints its usage and exits 0`, () => {
      for (const flag of ['--help', '-h']) {
        const r = cli(command, flag);
        expect(r.err).toBe('');
        expect(r.out.startsWith(heading)).toBe(true);
        expect(r.code).toBe(0);
      }
    });
  }

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = cli(flag);
      expect(r.out.trim()).toBe(`ssh-spike ${version}`);
      expect(r.code).toBe(0);
    }
  });

  it("a negative number gets the range message, not the parser's", () => {
    const r = cli('soak', '--sessions', '-3');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--sessions must be an integer from 1 to 1000, got "-3"');
    expect(r.err).not.toContain('ambiguous');
  });
});
