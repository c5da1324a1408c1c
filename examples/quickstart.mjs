// The library on both cores, against the embedded lab. Start the lab first, in another terminal:
//   npx ssh-spike lab --dir .lab
// then: node examples/quickstart.mjs .lab
import { createPool, readLabInfo, sessionOptions } from 'ssh-spike';

const labDir = process.argv[2] ?? '.lab';
for (const core of ['rust', 'ssh2']) {
  const pool = createPool({ core }); // the same contract on both cores
  const session = await pool.open(sessionOptions(readLabInfo(labDir)));
  session.on('state', (e) => console.log(`${core}: ${e.previous} -> ${e.state}${e.code ? ` (${e.code})` : ''}`));

  const { stdout, exitCode } = await session.exec('echo hello', { timeoutMs: 5_000 });
  console.log(`${core}: exec said ${JSON.stringify(stdout.toString().trim())}, exit ${exitCode}`);

  const shell = await session.openShell({ cols: 120, rows: 40 });
  let screen = '';
  const answered = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${core}: no answer from the shell in 5 s`)), 5_000);
    shell.on('data', (chunk) => {
      screen += chunk;
      // the command's output on a line of its own (the typed line is echoed first)
      if (screen.includes('\r\nhi there\r\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  shell.write('echo hi there\r');
  await answered;
  console.log(`${core}: the shell printed "hi there"`);

  await pool.close(); // closes every session; the process can then exit by itself
}
