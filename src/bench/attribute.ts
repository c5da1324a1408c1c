/**
 * `bench:compare --attribute`: where a worker's CPU goes. perf samples the measured worker (every
 * thread: the JS thread and the Rust core's runtime) and each sample's leaf symbol is put in one
 * group: crypto, copy and allocation, kernel network, boundary and wake-ups, GC, JS, other. The
 * groups are patterns over symbol and library names (below), so they are approximate: a sample in
 * russh's own packet code is "other", JIT-compiled JavaScript has no symbol and counts as JS.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CATEGORIES = ['crypto', 'copy and allocation', 'kernel network', 'boundary and wake-ups', 'GC', 'JS', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Attribution = Record<Category, number>;

/** Why perf cannot sample here, or undefined when it can. */
export function perfUnavailable(): string | undefined {
  try {
    execFileSync('perf', ['record', '-q', '-F', '99', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore', timeout: 20_000 });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ENOENT'
      ? "no 'perf' (apt-get install linux-perf)"
      : 'perf may not sample here (run as root, or lower /proc/sys/kernel/perf_event_paranoid)';
  }
}

const RULES: [Category, RegExp][] = [
  ['crypto', /aes|gcm|ghash|chacha|poly1305|aws_lc|EVP_|CRYPTO_|sha(1|256|512)|x25519|curve25519|ed25519|OPENSSL|ossl_|bn_|cipher/i],
  ['GC', /Heap::|Scaveng|MarkCompact|Marking|Marker|Sweep|Evacuat|GCTracer|MinorMC|MemoryAllocator|Mark(Bits|Object)/],
  [
    'copy and allocation',
    /mem(cpy|move|set|cmp)|malloc|calloc|realloc|(^|_)free($|_)|cfree|tcache|arena|__rust_(alloc|dealloc|realloc)|clear_page|page_fault|do_anonymous_page|alloc_pages|get_page_from_freelist|handle_mm_fault|zap_pte|mmap|munmap|BackingStore|ArrayBuffer(Allocator)?::|Buffer::New|bytes::/i,
  ],
  [
    'kernel network',
    /tcp_|inet_|sock|skb|(^|_)ip_|net_|netif|napi_gro|loopback|veth|dev_queue|nf_|__sys_(recv|send)|recvmsg|sendmsg|copy_user|_copy_(to|from)_iter|csum/i,
  ],
  [
    'boundary and wake-ups',
    /napi_|uv_|epoll|futex|schedule|finish_task_switch|wake_up|try_to_wake|tokio|park|threadsafe|ThreadsafeFunction|call_js|entry_SYSCALL|do_syscall|syscall_return|__x64_sys|pthread_cond|eventfd|pipe_|native_queued_spin|_raw_spin|swapgs|irq_|hrtimer/i,
  ],
  ['JS', /^Builtins_|v8::|Runtime_|Interpreter|LazyCompile|^JS:|^node::|^\[unknown\]|^0x[0-9a-f]+$/],
];

/** The group of one sample, from its library (dso) and leaf symbol. */
export function classify(dso: string, sym: string): Category {
  if (/^\[JIT\]|perf-\d+\.map/.test(dso)) return 'JS';
  const text = `${sym}`;
  for (const [cat, re] of RULES) {
    if (cat === 'kernel network' && dso !== '[kernel.kallsyms]') continue;
    if (re.test(text)) return cat;
  }
  if (dso === '[unknown]') return 'JS';
  return 'other';
}

/** perf report's tab-separated lines (overhead, dso, [k]/[.] symbol), summed into the groups (%). */
export function attributeReport(text: string): Attribution {
  const out = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Attribution;
  for (const line of text.split('\n')) {
    const [pct, dso, sym] = line.split('\t').map((x) => x.trim());
    const p = Number.parseFloat(pct ?? '');
    if (!Number.isFinite(p) || dso === undefined || sym === undefined) continue;
    out[classify(dso, sym.replace(/^\[.\]\s*/, ''))] += p;
  }
  return out;
}

/** perf sampling one process (all its threads) until stop(); stop() gives the groups. */
export class PerfSampler {
  #child: ChildProcess;
  #dir: string;
  #exited: Promise<void>;

  private constructor(child: ChildProcess, dir: string) {
    this.#child = child;
    this.#dir = dir;
    this.#exited = new Promise((r) => child.once('exit', () => r()));
  }

  static start(pid: number, maxSeconds: number): PerfSampler {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-perf-'));
    // Bounded by itself too: perf's own `sleep` ends the recording if nobody stops it.
    const child = spawn('perf', ['record', '-q', '-F', '499', '-p', String(pid), '-o', join(dir, 'perf.data'), '--', 'sleep', String(Math.ceil(maxSeconds))], {
      stdio: 'ignore',
    });
    return new PerfSampler(child, dir);
  }

  async stop(): Promise<Attribution | null> {
    if (this.#child.exitCode === null) this.#child.kill('SIGINT');
    await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 10_000))]);
    const data = join(this.#dir, 'perf.data');
    try {
      if (!existsSync(data)) return null;
      const text = execFileSync('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', 'dso,sym', '-q', '-t', '\t'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 120_000,
      });
      return attributeReport(text);
    } catch {
      return null;
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
