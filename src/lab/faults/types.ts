/** What faults act on: proxy routes (one per session) and the SSH servers behind them. */

export type LinkMode = 'pass' | 'hold' | 'blackhole';

/** One proxy route (see crates/ssh-lab/src/proxy.rs for the modes' contract). */
export interface RouteControl {
  readonly id: string;
  /** Live connections in mode `from` (any, when null) switch to `to`; returns how many. */
  setExisting(from: LinkMode | null, to: LinkMode): number;
  /** The mode new connections start in. */
  setNew(mode: LinkMode): void;
  /** RST to every live connection; returns how many. */
  resetExisting(): number;
  stopListening(): void;
  resumeListening(): Promise<void>;
  setShaping(latencyMs: number, rateBytesPerS?: number): void;
}

/** An SSH server of the lab (embedded or sshd). */
export interface TargetControl {
  readonly name: string;
  /** Stops the listener and every connection, as a crashed or restarted server would. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** While revoked, the server rejects the sessions' credentials. */
  setAuthRevoked(revoked: boolean): Promise<void>;
}

export interface FaultScope {
  routes: RouteControl[];
  targets: TargetControl[];
}

/** Heals what `apply` did. */
export type Heal = () => Promise<void>;

/** A fault: a small typed module, registered by name in faults/index.ts. */
export interface Fault<P extends { durationMs: number }> {
  readonly name: string;
  /** One line for logs and help. */
  readonly description: string;
  apply(scope: FaultScope, params: P): Promise<Heal>;
}
