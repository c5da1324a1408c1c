/**
 * Checks the lab's sequence-numbered stream (`spike-stream`): lines `SEQ <8 digits> <payload>`,
 * payload character j = 'a' + (n + j) % 26. Counts gaps, reordering and corrupt lines inside one
 * connection's stream. Feed it raw terminal output in any chunking; other text (echo, prompts)
 * between lines is ignored.
 */

export const SEQ_LINE_BYTES = 100;
const PAYLOAD = 86;

export interface SeqReport {
  /** Lines that parsed and whose payload matched. */
  lines: number;
  /** Highest sequence number seen. */
  last: number;
  /** Numbers skipped (a jump from n to n+k counts k-1). */
  missing: number;
  /** Lines that came with a number at or below one already seen. */
  reordered: number;
  /** Lines whose payload did not match their number. */
  corrupt: number;
}

export class SeqChecker {
  #partial = '';
  #report: SeqReport = { lines: 0, last: 0, missing: 0, reordered: 0, corrupt: 0 };

  push(chunk: Buffer | string): void {
    const text = this.#partial + chunk.toString('latin1');
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) this.#line(part.replace(/\r$/, ''));
  }

  #line(raw: string): void {
    const at = raw.indexOf('SEQ ');
    if (at < 0) return;
    const line = raw.slice(at);
    const m = /^SEQ (\d{8}) ([a-z]*)$/.exec(line);
    const r = this.#report;
    if (!m) {
      r.corrupt++;
      return;
    }
    const n = Number(m[1]);
    const payload = m[2]!;
    let ok = payload.length === PAYLOAD;
    for (let j = 0; ok && j < PAYLOAD; j++) ok = payload.charCodeAt(j) === 97 + ((n + j) % 26);
    if (!ok) {
      r.corrupt++;
      return;
    }
    if (n <= r.last) r.reordered++;
    else {
      r.missing += n - r.last - 1;
      r.last = n;
    }
    r.lines++;
  }

  get report(): SeqReport {
    return { ...this.#report };
  }

  /** True when lines 1..last all arrived once, in order and intact. */
  get intact(): boolean {
    const r = this.#report;
    return r.missing === 0 && r.reordered === 0 && r.corrupt === 0 && r.lines === r.last;
  }
}

/** Builds line n exactly as the lab does (for tests). */
export function seqLine(n: number): string {
  let payload = '';
  for (let j = 0; j < PAYLOAD; j++) payload += String.fromCharCode(97 + ((n + j) % 26));
  return `SEQ ${String(n % 100_000_000).padStart(8, '0')} ${payload}\n`;
}
