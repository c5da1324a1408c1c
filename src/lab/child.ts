/**
 * Entry of the lab process: the lab's SSH targets and the fault proxy in front of them, answering
 * control requests from the parent over IPC. It exits when told to, when its parent goes away,
 * or at the end of its lifetime, and leaves no server or route behind.
 */
import { EmbeddedLab, type EmbeddedLabOptions } from './embedded.js';
import { FaultLab, type LabTarget } from './fault-lab.js';
import type { FaultName } from './faults/index.js';
import { SshdTarget, type SshdOptions } from './sshd.js';
import type { TargetInfo } from './target.js';

export type LabTargetSpec =
  | ({ kind: 'embedded' } & EmbeddedLabOptions)
  | ({ kind: 'openssh' } & SshdOptions)
  /** A host the lab does not run (an inventory host): routes only, no restart or auth faults. */
  | { kind: 'remote'; name: string; host: string; port: number };

export interface LabChildOptions extends EmbeddedLabOptions {
  /** The lab stops by itself after this long. */
  maxLifetimeMs: number;
  /** The targets to run (default: one embedded lab with the options above). */
  targets?: LabTargetSpec[];
}

export type LabRequest =
  | { id: number; op: 'stats' }
  | { id: number; op: 'stopListening' }
  | { id: number; op: 'resumeListening' }
  | { id: number; op: 'killConnections' }
  | { id: number; op: 'setAuthRevoked'; revoked: boolean }
  | { id: number; op: 'route'; target: number }
  | { id: number; op: 'inject'; fault: FaultName; params: { durationMs: number }; routes?: string[] }
  | { id: number; op: 'healAll' }
  | { id: number; op: 'faultLog' }
  | { id: number; op: 'stop' };

const send = (msg: unknown) => process.send?.(msg);

interface Running {
  target: LabTarget;
  stats(): unknown;
  stop(): Promise<void>;
}

function remoteTarget(spec: Extract<LabTargetSpec, { kind: 'remote' }>): Running {
  const refuse = async () => {
    throw new Error(`${spec.name} is an inventory host: the lab cannot restart it or change its credentials`);
  };
  const info: TargetInfo = {
    kind: 'openssh',
    host: spec.host,
    port: spec.port,
    username: '',
    privateKeyPath: '',
    encryptedKeyPath: '',
    passphrase: '',
    hostFingerprint: '',
    knownHostsPath: '',
    binDir: '',
  };
  return {
    target: { info, control: { name: spec.name, stopServer: refuse, startServer: refuse, setAuthRevoked: refuse } },
    stats: () => ({}),
    stop: async () => {},
  };
}

async function startTarget(spec: LabTargetSpec): Promise<Running> {
  if (spec.kind === 'remote') return remoteTarget(spec);
  if (spec.kind === 'openssh') {
    const sshd = await SshdTarget.start(spec);
    return {
      target: { info: sshd.info, control: sshd },
      stats: () => ({ connectionProcesses: sshd.connectionProcesses(), maxStartupsDrops: sshd.logLines(/MaxStartups/).length }),
      stop: () => sshd.stop(),
    };
  }
  const lab = await EmbeddedLab.start(spec);
  return { target: { info: lab.info, control: lab }, stats: () => lab.stats(), stop: async () => lab.stop(), embedded: lab } as Running & {
    embedded: EmbeddedLab;
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as LabChildOptions;
  const specs: LabTargetSpec[] = options.targets ?? [{ kind: 'embedded', ...options }];
  const running: Running[] = [];
  const faults = new FaultLab();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await faults.stop().catch(() => {});
    for (const r of running) await r.stop().catch(() => {});
    process.exit(code);
  };
  try {
    for (const spec of specs) running.push(await startTarget(spec));
  } catch (err) {
    for (const r of running) await r.stop().catch(() => {});
    throw err;
  }
  const first = running[0]!;
  const embedded = (first as Running & { embedded?: EmbeddedLab }).embedded;
  const needEmbedded = (): EmbeddedLab => {
    if (!embedded) throw new Error('this request needs an embedded lab as the first target');
    return embedded;
  };
  setTimeout(() => void stop(0), options.maxLifetimeMs).unref();
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('message', async (req: LabRequest) => {
    try {
      let value: unknown;
      switch (req.op) {
        case 'stats': {
          const cpu = process.cpuUsage();
          value = {
            server: first.stats(),
            targets: running.map((r) => r.stats()),
            resources: { cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage.rss() },
          };
          break;
        }
        case 'stopListening':
          needEmbedded().stopListening();
          break;
        case 'resumeListening':
          await needEmbedded().resumeListening();
          break;
        case 'killConnections':
          value = needEmbedded().killConnections();
          break;
        case 'setAuthRevoked':
          await first.target.control.setAuthRevoked(req.revoked);
          break;
        case 'route': {
          const r = running[req.target];
          if (!r) throw new Error(`no target ${req.target} (the lab runs ${running.length})`);
          const routed = await faults.route(r.target);
          value = { routeId: routed.routeId, info: routed.info, target: r.target.control.name };
          break;
        }
        case 'inject':
          value = await faults.inject(req.fault, req.params as never, req.routes);
          break;
        case 'healAll':
          await faults.healAll();
          break;
        case 'faultLog':
          value = faults.log;
          break;
        case 'stop':
          send({ id: req.id, ok: true });
          await stop(0);
          return;
      }
      send({ id: req.id, ok: true, value });
    } catch (err) {
      send({ id: req.id, ok: false, error: (err as Error).message });
    }
  });
  send({ type: 'ready', info: first.target.info, targets: running.map((r) => ({ name: r.target.control.name, info: r.target.info })) });
}

main().catch((err: Error) => {
  send({ type: 'failed', error: err.message });
  process.exit(1);
});
