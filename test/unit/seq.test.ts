import { describe, expect, it } from 'vitest';
import { SEQ_LINE_BYTES, SeqChecker, seqLine } from '../../src/workload/seq.js';

describe('sequence stream checker', () => {
  it('a line is 100 bytes, as the lab sends it', () => {
    expect(seqLine(42)).toHaveLength(SEQ_LINE_BYTES);
    expect(seqLine(42).startsWith('SEQ 00000042 qrst')).toBe(true);
  });

  it('accepts a complete stream in any chunking, with CRLF and other text around it', () => {
    const c = new SeqChecker();
    const text = `lab$ spike-stream mid 50\r\n${Array.from({ length: 50 }, (_, i) => seqLine(i + 1).replace('\n', '\r\n')).join('')}lab$ `;
    for (let i = 0; i < text.length; i += 7) c.push(Buffer.from(text.slice(i, i + 7)));
    expect(c.report).toEqual({ lines: 50, last: 50, missing: 0, reordered: 0, corrupt: 0 });
    expect(c.intact).toBe(true);
  });

  it('counts gaps, reordering and corruption', () => {
    const c = new SeqChecker();
    c.push(seqLine(1) + seqLine(2) + seqLine(5) + seqLine(4) + seqLine(6).replace('SEQ 00000006 ', 'SEQ 00000006 zz'));
    expect(c.report).toMatchObject({ last: 5, missing: 2, reordered: 1, corrupt: 1 });
    expect(c.intact).toBe(false);
  });
});
