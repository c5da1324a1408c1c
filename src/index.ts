/**
 * ssh-spike: an SSH connection manager with two interchangeable cores (Rust over russh + napi-rs,
 * and TypeScript over ssh2), the lab to test them, and the SPIKE-2 runner.
 */
export { createPool } from './core/index.js';
export * from './core/contract.js';
export * from './core/errors.js';
export { FAILURE_CAUSES, SESSION_STATES, TERMINAL_STATES } from './core/tables.js';
export * from './core/defaults.js';
export type { PoolOptions, RustTuning } from './core/options.js';
export { EmbeddedLab, type EmbeddedLabOptions, type LabResources } from './lab/embedded.js';
export { LabProcess } from './lab/process.js';
export { SshdTarget, type SshdOptions, sshdUnavailableReason } from './lab/sshd.js';
export { type TargetInfo, sessionOptions, streamCommand, POLL_COMMAND } from './lab/target.js';
export { readLabInfo } from './lab/info.js';
export { SeqChecker, type SeqReport } from './workload/seq.js';
