/** The embedded lab serves 1,000 concurrent sessions and reports its own CPU and RSS. */
import { expect, it } from 'vitest';
import { createPool, type Session, sessionOptions } from '../../src/index.js';
import { LabProcess } from '../../src/lab/process.js';

it('the lab serves 1,000 concurrent sessions, each running a command, and reports its resources', async () => {
  const lab = await LabProcess.start();
  const pool = createPool({ core: 'rust' });
  try {
    const sessions: Session[] = [];
    // Connect in waves so the test measures the lab, not a SYN backlog.
    for (let wave = 0; wave < 10; wave++) {
      sessions.push(...(await Promise.all(Array.from({ length: 100 }, () => pool.open(sessionOptions(lab.info))))));
    }
    const results = await Promise.all(sessions.map((s, i) => s.exec(`echo ${i}`)));
    for (const [i, r] of results.entries()) expect(r.stdout.toString()).toBe(`${i}\n`);
    const { server, resources } = await lab.stats();
    expect(server.connectionsActive).toBe(1000);
    expect(server.authSuccesses).toBeGreaterThanOrEqual(1000);
    expect(resources.cpuMs).toBeGreaterThan(0);
    expect(resources.rssBytes).toBeGreaterThan(0);
    console.log(`lab with 1000 sessions: rss ${(resources.rssBytes / 2 ** 20).toFixed(0)} MB, cpu ${(resources.cpuMs / 1000).toFixed(1)} s so far`);
  } finally {
    await pool.close();
    await lab.stop();
  }
}, 120_000);
