/** HDR latency histograms (microsecond resolution) with coordinated-omission correction for paced probes. */
import hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../record/record.js';

export class Latency {
  #h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  #intervalUs: number;

  /** `pacedEveryMs`: the probe's period, used to correct for coordinated omission. */
  constructor(pacedEveryMs: number) {
    this.#intervalUs = Math.round(pacedEveryMs * 1000);
  }

  record(ms: number): void {
    const us = Math.max(1, Math.min(600_000_000, Math.round(ms * 1000)));
    this.#h.recordValueWithExpectedInterval(us, this.#intervalUs);
  }

  summary(): LatencySummary {
    const h = this.#h;
    const at = (p: number) => (h.totalCount === 0 ? Number.NaN : h.getValueAtPercentile(p) / 1000);
    return {
      count: h.totalCount,
      p50Ms: at(50),
      p95Ms: at(95),
      p99Ms: at(99),
      maxMs: h.totalCount === 0 ? Number.NaN : h.maxValue / 1000,
      hdr: hdr.encodeIntoCompressedBase64(h),
    };
  }
}
