/** `ssh-spike lab`: the embedded lab in this process, for manual use. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedLab } from '../lab/embedded.js';
import { formatDuration, parseDuration, parseIntArg } from '../util/args.js';

export const LAB_USAGE = `ssh-spike lab [--dir DIR] [--host 127.0.0.1] [--port 0] [--duration 60m]

Runs the embedded SSH lab until Ctrl-C or the end of --duration. Connection details,
including the generated password and key paths, go to DIR/lab.json (mode 0600).
  --dir DIR        where keys and lab.json go (default .lab)
  --host ADDR      loopback address to listen on (default 127.0.0.1)
  --port N         port (default 0: a free one)
  --duration D     stop by itself after D, e.g. 90s, 30m, 2h (default 60m)`;

export async function labCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string', default: '.lab' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      duration: { type: 'string', default: '60m' },
    },
    strict: true,
  });
  const durationMs = parseDuration(values.duration!, '--duration');
  const port = parseIntArg(values.port!, '--port', 0, 65535);
  const dir = resolve(values.dir!);
  const lab = await EmbeddedLab.start({ dir, host: values.host!, port });
  const infoPath = lab.writeInfoFile();
  const i = lab.info;
  process.stdout.write(
    [
      `lab listening on ${i.host}:${i.port} (stops by itself in ${formatDuration(durationMs)}, or Ctrl-C)`,
      `  user        ${i.username} (password auth too: see lab.json)`,
      `  key         ${i.privateKeyPath}`,
      `  host key    ${i.hostFingerprint}`,
      `  known_hosts ${i.knownHostsPath}`,
      `  details     ${infoPath}`,
      `  try         ssh -i ${i.privateKeyPath} -p ${i.port} -o UserKnownHostsFile=${i.knownHostsPath} ${i.username}@${i.host} 'echo hello'`,
      '',
    ].join('\n'),
  );
  const started = Date.now();
  let lastCpu = lab.resources().cpuMs;
  let lastAt = started;
  const report = setInterval(() => {
    const now = Date.now();
    const r = lab.resources();
    const s = lab.stats();
    const cpuPct = ((r.cpuMs - lastCpu) / (now - lastAt)) * 100;
    lastCpu = r.cpuMs;
    lastAt = now;
    process.stderr.write(
      `lab: ${s.connectionsActive} connections (${s.connectionsAccepted} total), ` +
        `cpu ${cpuPct.toFixed(1)}%, rss ${(r.rssBytes / 2 ** 20).toFixed(0)} MB, ` +
        `${(s.bytesSent / 2 ** 20).toFixed(1)} MB sent\n`,
    );
  }, 10_000);
  await new Promise<void>((done) => {
    const timer = setTimeout(done, durationMs);
    const stop = () => {
      clearTimeout(timer);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(report);
  lab.stop();
  process.stderr.write('lab stopped\n');
  return 0;
}
