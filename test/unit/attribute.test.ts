import { describe, expect, it } from 'vitest';
import { attributeReport, classify } from '../../src/bench/attribute.js';

describe('--attribute groups perf samples', () => {
  it('puts leaf symbols of both cores in their groups', () => {
    expect(classify('node', '_aesni_ctr32_ghash_6x')).toBe('crypto');
    expect(classify('ssh-core.linux-x64-gnu.node', 'aws_lc_0_30_0_gcm_ghash_avx')).toBe('crypto');
    expect(classify('libc.so.6', '__memmove_avx_unaligned_erms')).toBe('copy and allocation');
    expect(classify('[kernel.kallsyms]', 'clear_page_erms')).toBe('copy and allocation');
    expect(classify('[kernel.kallsyms]', 'tcp_recvmsg_locked')).toBe('kernel network');
    expect(classify('[kernel.kallsyms]', '_copy_to_iter')).toBe('kernel network');
    expect(classify('[kernel.kallsyms]', 'finish_task_switch.isra.0')).toBe('boundary and wake-ups');
    expect(classify('ssh-core.linux-x64-gnu.node', 'tokio::runtime::park::Inner::park')).toBe('boundary and wake-ups');
    expect(classify('node', 'napi_call_function')).toBe('boundary and wake-ups');
    expect(classify('node', 'v8::internal::Scavenger::ScavengeObject')).toBe('GC');
    expect(classify('node', 'Builtins_InterpreterEntryTrampoline')).toBe('JS');
    expect(classify('[JIT] tid 123', '0x00007f1234')).toBe('JS');
    expect(classify('ssh-core.linux-x64-gnu.node', 'russh::cipher::OpeningKey::decrypt_packet_length')).toBe('crypto');
    expect(classify('ssh-core.linux-x64-gnu.node', 'russh::client::Session::process_packet')).toBe('other');
    // "sock" only names kernel networking inside the kernel.
    expect(classify('node', 'uv__socket_sockopt')).toBe('boundary and wake-ups');
  });

  it('sums a report into percentages per group', () => {
    const report = [
      ' 31.63% \tnode             \t[.] _aesni_ctr32_ghash_6x',
      ' 38.10% \tlibc.so.6        \t[.] __memmove_avx_unaligned_erms',
      ' 1.36%  \t[kernel.kallsyms]\t[k] do_syscall_64',
      'garbage line',
    ].join('\n');
    const a = attributeReport(report);
    expect(a.crypto).toBeCloseTo(31.63, 6);
    expect(a['copy and allocation']).toBeCloseTo(38.1, 6);
    expect(a['boundary and wake-ups']).toBeCloseTo(1.36, 6);
    expect(a.other).toBe(0);
  });
});
