/**
 * Flow control on the path to the UI (RISK-4): a flood into a UI stand-in that draws slower than
 * the server sends. On both cores the gate (the relay's, or the utility process's own) pauses the shell for real (ssh2 stops reading
 * the channel, the Rust core holds its window), so the bytes sent and not yet drawn stay near the
 * gate's high watermark, the sender slows to the UI's pace, and no line is lost. Runs the built
 * code (npm test builds dist first), as ui-path.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { UiPathResult, UiPathTask } from '../../src/bench/ui-path.js';
import { sessionOptions, streamCommand, type TargetInfo } from '../../src/lab/target.js';
import { FLOW_GATE_DEFAULTS } from '../../src/ui/flow.js';
import { targetPerSuite } from '../helpers.js';

const { uiPath } = (await import(new URL('../../dist/bench/ui-path.js', import.meta.url).href)) as {
  uiPath: (task: UiPathTask) => Promise<UiPathResult>;
};

const target = targetPerSuite('embedded');
let t: TargetInfo;
beforeAll(() => {
  t = target().info;
});

/** 3 MB of lines, drawn at 1.5 MB/s: about 2 s a run. */
const LINES = 30_000;
const FLOOD_BYTES = LINES * 100;
const DRAW_BYTES_PER_S = 1_500_000;
const HIGH = FLOW_GATE_DEFAULTS.highWatermarkBytes;
/**
 * What can be under way when the gate pauses: one chunk of the core (ssh2's 32 KiB, the Rust core's
 * coalesced 256 KiB at most) and the UI's ack step (64 KiB).
 */
const IN_FLIGHT_BYTES = { ssh2: 96 * 1024, rust: 320 * 1024 };

function flood(core: 'rust' | 'ssh2', arch: 'main' | 'utility' | 'direct'): Promise<UiPathResult> {
  return uiPath({
    kind: 'ui',
    core,
    session: sessionOptions(t),
    arch,
    transport: 'ipc',
    workload: 'flood',
    sessions: 1,
    seconds: 20,
    streamCommand: `${streamCommand(t, 'flood', LINES)}\r`,
    floodLines: LINES,
    drawBytesPerS: DRAW_BYTES_PER_S,
  });
}

describe.each(['ssh2', 'rust'] as const)('%s core', (core) => {
  it('pauses the shell (main/ipc): unacked bytes stay bounded, the sender slows to the UI, no line is lost', async () => {
    const r = await flood(core, 'main');
    const inFlight = IN_FLIGHT_BYTES[core];
    expect(r.integrity).toEqual({ lines: LINES, missing: 0, reordered: 0, corrupt: 0 });
    expect(r.relay.pauses).toBeGreaterThan(0);
    expect(r.relay.pausesUnavailable).toBe(0);
    expect(r.relay.peakUnackedBytes).toBeLessThanOrEqual(HIGH + inFlight);
    expect(r.uiPeakQueuedBytes).toBeLessThanOrEqual(HIGH + inFlight);
    // The UI draws at most DRAW_BYTES_PER_S and acks only what it drew: a gated sender cannot hand
    // the relay its last byte before the UI drew all but what the gate lets it keep unacked.
    expect(r.floodSendMs).toBeGreaterThanOrEqual(((FLOOD_BYTES - HIGH - inFlight) / DRAW_BYTES_PER_S) * 1000);
  }, 60_000);

  // The utility process gates its own output (the main process passes the UI's acks on), so its
  // pause lands as the watermark is crossed, not after an IPC round trip: the same bound holds.
  it('pauses the shell in the utility process (utility/ipc): unacked bytes stay bounded, no line lost', async () => {
    const r = await flood(core, 'utility');
    const inFlight = IN_FLIGHT_BYTES[core];
    expect(r.integrity).toEqual({ lines: LINES, missing: 0, reordered: 0, corrupt: 0 });
    expect(r.relay.pauses).toBeGreaterThan(0);
    expect(r.relay.pausesUnavailable).toBe(0);
    expect(r.relay.peakUnackedBytes).toBeLessThanOrEqual(HIGH + inFlight);
    expect(r.uiPeakQueuedBytes).toBeLessThanOrEqual(HIGH + inFlight);
    expect(r.floodSendMs).toBeGreaterThanOrEqual(((FLOOD_BYTES - HIGH - inFlight) / DRAW_BYTES_PER_S) * 1000);
  }, 60_000);
});

describe('rust core, direct path', () => {
  // The core writes the shell's output onto the UI's socket itself; its UI link holds the
  // routed shell's window above the watermark and keeps what was on its way until the UI drew enough.
  it('pauses the routed shell (direct/socket): unacked bytes stay bounded and no line is lost', async () => {
    const r = await flood('rust', 'direct');
    expect(r.integrity).toEqual({ lines: LINES, missing: 0, reordered: 0, corrupt: 0 });
    expect(r.relay.pauses).toBeGreaterThan(0);
    expect(r.relay.pausesUnavailable).toBe(0);
    expect(r.relay.peakUnackedBytes).toBeLessThanOrEqual(HIGH + IN_FLIGHT_BYTES.rust);
    expect(r.uiPeakQueuedBytes).toBeLessThanOrEqual(HIGH + IN_FLIGHT_BYTES.rust);
  }, 60_000);
});
