/** report.html opened from disk in a real headless browser (Debian's Chromium): it loads and draws its charts. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden', 'report.html');

function chromium(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'ssh-spike-chromium-'));
  return execFileSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 },
  );
}

it.skipIf(!CHROMIUM)(
  'report.html renders from disk in headless Chromium with its tables and charts',
  () => {
    const dom = chromium(['--dump-dom', `file://${GOLDEN}`]);
    expect(dom.match(/<svg/g)?.length).toBe(5);
    expect(dom.match(/<path d="M/g)?.length).toBeGreaterThanOrEqual(4);
    expect(dom).toContain('Data record table');
    expect(dom.match(/<tr>/g)!.length).toBeGreaterThan(10);
    const shot = join(mkdtempSync(join(tmpdir(), 'ssh-spike-shot-')), 'report.png');
    chromium(['--window-size=1200,1600', `--screenshot=${shot}`, `file://${GOLDEN}`]);
    expect(statSync(shot).size).toBeGreaterThan(50_000);
  },
  120_000,
);

if (!CHROMIUM) it('report.html browser check is skipped: chromium is not installed (apt-get install chromium)', (ctx) => ctx.skip('no chromium'));
