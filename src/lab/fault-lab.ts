/**
 * The fault lab: proxy routes in front of the lab's targets (one route per session, so a fault can
 * hit one, some or all sessions) and the faults applied to them, each healed by itself after its
 * window and logged with timestamps.
 */
import type { NativeRoute } from '../../lab-addon/index.js';
import { labAddon } from './addon.js';
import { FAULTS, type FaultName, type FaultParams, type RouteControl, type TargetControl } from './faults/index.js';
import type { TargetInfo } from './target.js';

export interface FaultRecord {
  id: number;
  fault: FaultName;
  params: Record<string, number>;
  /** Route ids the fault applied to. */
  routes: string[];
  targets: string[];
  appliedAtMs: number;
  healedAtMs?: number;
}

/** A target of the lab plus how to control it. */
export interface LabTarget {
  info: TargetInfo;
  control: TargetControl;
}

/** A session's way to its target: through its own proxy route. */
export interface Routed {
  routeId: string;
  /** The target as seen through the route (same keys and users, the route's port). */
  info: TargetInfo;
  target: LabTarget;
}

class Route implements RouteControl {
  constructor(
    readonly id: string,
    readonly native: NativeRoute,
    public target: LabTarget,
  ) {}
  setExisting(from: 'pass' | 'hold' | 'blackhole' | null, to: 'pass' | 'hold' | 'blackhole'): number {
    return this.native.setExisting(from ?? undefined, to);
  }
  setNew(mode: 'pass' | 'hold' | 'blackhole'): void {
    this.native.setNew(mode);
  }
  resetExisting(): number {
    return this.native.resetExisting();
  }
  stopListening(): void {
    this.native.stopListening();
  }
  resumeListening(): Promise<void> {
    return this.native.resumeListening();
  }
  setShaping(latencyMs: number, rateBytesPerS?: number): void {
    this.native.setShaping(latencyMs, rateBytesPerS);
  }
}

export class FaultLab {
  readonly log: FaultRecord[] = [];
  /** Called with each applied or healed fault (for progress lines). */
  onEvent: ((what: 'applied' | 'healed', record: FaultRecord) => void) | undefined;
  #routes = new Map<string, Route>();
  #pending = new Map<number, { timer: NodeJS.Timeout; heal: () => Promise<void> }>();
  #nextRoute = 1;
  #nextFault = 1;

  /** A new proxy route to `target`; give each session its own. */
  async route(target: LabTarget): Promise<Routed> {
    const route = await labAddon().startRoute('127.0.0.1', 0, target.info.host, target.info.port);
    const id = `r${this.#nextRoute++}`;
    this.#routes.set(id, new Route(id, route, target));
    return { routeId: id, info: { ...target.info, host: '127.0.0.1', port: route.port }, target };
  }

  /**
   * Applies a fault now to the given routes (all when omitted) and heals it after
   * `params.durationMs`. Resolves once applied, with the log record.
   */
  async inject<N extends FaultName>(fault: N, params: FaultParams<N>, routeIds?: string[]): Promise<FaultRecord> {
    const routes = routeIds ? routeIds.map((id) => this.#route(id)) : [...this.#routes.values()];
    const targets = [...new Set(routes.map((r) => r.target))];
    const f = FAULTS[fault] as { apply(scope: unknown, p: unknown): Promise<() => Promise<void>> };
    const record: FaultRecord = {
      id: this.#nextFault++,
      fault,
      params: { ...(params as Record<string, number>) },
      routes: routes.map((r) => r.id),
      targets: targets.map((t) => t.control.name),
      appliedAtMs: Date.now(),
    };
    const heal = await f.apply({ routes, targets: targets.map((t) => t.control) }, params);
    this.log.push(record);
    this.onEvent?.('applied', record);
    const run = async () => {
      this.#pending.delete(record.id);
      await heal();
      record.healedAtMs = Date.now();
      this.onEvent?.('healed', record);
    };
    this.#pending.set(record.id, { timer: setTimeout(() => void run(), params.durationMs), heal: run });
    return record;
  }

  /**
   * New connections of route `routeId` go to `target` from now on: the server behind the
   * session's address was replaced (reinstalled, or a man in the middle).
   */
  retarget(routeId: string, target: LabTarget): void {
    const r = this.#route(routeId);
    r.native.setTarget(target.info.host, target.info.port);
    r.target = target;
  }

  /** Resolves when fault `id` has healed. */
  async healed(id: number): Promise<void> {
    while (this.#pending.has(id)) await new Promise((r) => setTimeout(r, 20));
  }

  /** Heals every pending fault now (Ctrl-C, end of run). */
  async healAll(): Promise<void> {
    const pending = [...this.#pending.values()];
    for (const p of pending) clearTimeout(p.timer);
    for (const p of pending) await p.heal();
  }

  async stop(): Promise<void> {
    await this.healAll();
    for (const r of this.#routes.values()) r.native.close();
    this.#routes.clear();
  }

  #route(id: string): Route {
    const r = this.#routes.get(id);
    if (!r) throw new Error(`no proxy route '${id}' (routes: ${[...this.#routes.keys()].join(', ') || 'none'})`);
    return r;
  }
}
