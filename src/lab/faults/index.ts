/** The fault registry: every fault by name, with its typed parameters. */
import { authRevoke } from './auth-revoke.js';
import { bandwidth } from './bandwidth.js';
import { cut } from './cut.js';
import { latency } from './latency.js';
import { refuse } from './refuse.js';
import { reset } from './reset.js';
import { restart } from './restart.js';
import { stall } from './stall.js';

export const FAULTS = {
  stall,
  cut,
  reset,
  refuse,
  latency,
  bandwidth,
  restart,
  'auth-revoke': authRevoke,
} as const;

export type FaultName = keyof typeof FAULTS;
export type FaultParams<N extends FaultName> = Parameters<(typeof FAULTS)[N]['apply']>[1];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

export type { FaultScope, LinkMode, RouteControl, TargetControl } from './types.js';
