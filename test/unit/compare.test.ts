import { describe, expect, it } from 'vitest';
import {
  type Comparison,
  coreSettings,
  decide as decideFromTrials,
  loadPolicy,
  parsePolicy,
  emptyComparison,
  SSH2_FALLBACK_CRYPTO,
  showInterval,
  tooWide,
} from '../../src/bench/compare.js';
import { SSH2_BINDING_FIX, ssh2NativeCrypto } from '../../src/core/ssh2/binding.js';
import { parseCompareArgs } from '../../src/bench/cli.js';
import { renderCompareHtml, renderCompareMarkdown } from '../../src/bench/render.js';
import { comparison, decide, lat, scaled, withTrials } from '../fixtures/comparisons.js';
import { schemaErrors } from '../schemas.js';

const answer = (c: Comparison) => c.summary.find((x) => x.startsWith('Answer:'));

describe('bench:compare decision', () => {
  it('ratios and targets come from the figures', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    expect(c.ratios['resources.cpuPct']).toBeCloseTo(0.45, 6);
    const t = Object.fromEntries(c.targets.map((x) => [x.id, x.pass]));
    expect(t).toEqual({
      'cpu-mid': true,
      // 0.8 / 1.4 = 0.57 of ssh2's CPU per GB, but 2.0 x the cipher's own cost on this CPU
      'cpu-bulk-aes128-gcm@openssh.com': true,
      'floor-bulk-aes128-gcm@openssh.com': false,
      'rss-bulk': true,
      'handshake-p95': true,
      'exec-p95': true,
      'echo-p95': true,
      'echo-p95-load': true,
      rss: true,
      'scale-cpu': false,
      'scale-rss': true,
      'scale-1000': true,
      'beat-russh-napi': false,
    });
    expect(c.targets.find((x) => x.id === 'floor-bulk-aes128-gcm@openssh.com')!.value).toBe('2.00 [1.94-2.06] x floor');
    expect(c.targets.find((x) => x.id === 'beat-russh-napi')!.value).toBe('loses on: echo p95 1.25 [1.25-1.25]');
    expect(c.summary[0]).toBe('Rust core meets 10 of 13 targets set for it; 3 paired trials per figure.');
    // ssh2 recovered 70/90 (78% [68-85]): it misses the plan's reconnect criterion
    expect(c.summary).toContain("ssh2: misses the plan's criteria measured here.");
    expect(answer(c)).toMatch(/^Answer: the Rust core/);
  });

  it('the crypto floor is measured once a round, and each Rust trial is taken over the floor of its round', () => {
    const { c, o } = comparison(1.8);
    withTrials(c);
    // the floor drifts with the machine as the trials do: paired, the drift cancels
    c.trials.floor = [0.97, 1, 1.03].map((f) => ({ blockBytes: 32768, ciphers: { 'aes128-gcm@openssh.com': { mbPerS: 2500 / f, cpuSPerGb: 0.4 * f } } }));
    decideFromTrials(c, o);
    expect(c.targets.find((x) => x.id === 'floor-bulk-aes128-gcm@openssh.com')!.value).toBe('2.00 [2.00-2.00] x floor');
    expect(c.floor!.ciphers['aes128-gcm@openssh.com']!.cpuSPerGb).toBeCloseTo(0.4, 9);
  });

  it('the reconnect criterion is judged on the interval of the pooled share, not on its point', () => {
    const { c, o } = comparison(1.8);
    c.stability.rust = { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 };
    decide(c, o);
    // 30 of 30 is 100%, but its 95% interval reaches down to 89%: it cannot show 90% yet
    expect(c.plan.rust!.find((x) => x.criterion.startsWith('reconnect'))).toMatchObject({
      pass: null,
      undecided: true,
      value: '30/30 = 100% [89-100] (undecided)',
    });
    expect(c.plan.ssh2!.find((x) => x.criterion.startsWith('reconnect'))).toMatchObject({ pass: false, value: '70/90 = 78% [68-85]' });
    expect(c.summary).toContain("rust: undecided on the plan's criteria measured here.");
    expect(c.summary.find((x) => x.startsWith('Undecided:'))).toContain('rust reconnect: 30/30 = 100% [89-100] (undecided)');
  });

  it('sections with more trials than the others are judged on all of theirs', () => {
    const { c, o } = comparison(1.8);
    o.shortTrials = 5;
    withTrials(c);
    const five = [0.96, 0.98, 1, 1.02, 1.04];
    const t = c.trials.throughput['aes128-gcm@openssh.com']!;
    t.rust = five.map((f) => scaled(c.throughput['aes128-gcm@openssh.com']!.rust!, f));
    t.ssh2 = five.map((f) => scaled(c.throughput['aes128-gcm@openssh.com']!.ssh2!, f));
    decideFromTrials(c, o);
    const bulk = c.intervals['throughput.aes128-gcm@openssh.com.cpuSPerGb']!;
    expect(bulk.perCore.rust!.n).toBe(5);
    expect(bulk.ratio!.n).toBe(5);
    expect(bulk.ratio!.estimate).toBeCloseTo(0.8 / 1.4, 6);
    expect(c.intervals['resources.cpuPct']!.ratio!.n).toBe(3);
    expect(c.summary[0]).toBe('Rust core meets 10 of 13 targets set for it; 3 paired trials per figure (5 for throughput and latency).');
  });

  it('echo under load counts against the Rust core when its pacing holds output longer than ssh2 does', () => {
    const { c, o } = comparison(1.8);
    c.resources.rust!.echoP95Ms = 3;
    decide(c, o);
    expect(c.ratios['resources.echoP95Ms']).toBeCloseTo(2, 6);
    expect(c.targets.find((x) => x.id === 'echo-p95-load')).toMatchObject({ pass: false, value: 'ratio 2.00 [2.00-2.00]' });
  });

  it('a heavier Rust core does not win by default', () => {
    const { c, o } = comparison(5.5);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    c.resources.ssh2!.cpuPct = 4.5;
    decide(c, o);
    expect(c.plan.rust!.find((x) => x.criterion.startsWith('CPU'))!.pass).toBe(false);
    expect(answer(c)).toMatch(/^Answer: the ssh2 core/);
  });

  it('when both meet the plan, the policy weighs the significant differences and names them each way', () => {
    const { c, o } = comparison(3.5);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    decide(c, o);
    expect(c.ratios['resources.cpuPct']).toBeCloseTo(0.875, 6);
    const better = Object.fromEntries(c.decision!.rows.map((r) => [r.key, r.better]));
    expect(better).toEqual({
      'resources.cpuPct': 'rust', // 0.875: 12.5% lower, beyond the 10% that matters
      'resources.rssPeakMb': 'rust', // 60 / 70
      'resources.echoP95Ms': '~', // 1.35 / 1.5 = 0.9: within the 20% that matters
      'scale.1000.cpuPct': '~', // 1 / 1
      'scale.1000.rssMb': 'rust', // 150 / 260
      'throughput.aes128-gcm@openssh.com.cpuSPerGb': 'rust', // 0.8 / 1.4
      'latency.echo.p95Ms': '~', // 0.5 / 0.6 = 0.83: within 20%
      'latency.exec.p95Ms': '~', // 0.4 / 0.9 ms: far apart as a ratio, but 0.5 ms is less than the 5 ms that matter
      'latency.handshake.p95Ms': '~', // 4 / 20 ms: 16 ms, less than 50
      'ui.main/ipc.cpuPct': 'not measured', // these trials have no UI path: they score for neither
      'ui.main/ipc.echoP95Ms': 'not measured',
    });
    expect(c.decision!.score).toEqual({ rust: 6, ssh2: 0 });
    expect(c.decision!.choice).toBe('rust');
    expect(c.decision).toMatchObject({ kind: 'decided', verdict: "The Rust core, by the policy's figures" });
    expect(answer(c)).toMatch(
      /^Answer: the Rust core: the Rust core is better on CPU at the plan's mid load \(0\.88 \[0\.88-0\.88\]\), RSS at the plan's load/,
    );
    expect(answer(c)).toMatch(/; ssh2 on nothing \(policy "ssh-spike decision policy" v3: score 6 to 0, a lead of 3 decides\)\.$/);
  });

  it("without a lead of `decisive`, the answer is no decisive difference, and the policy's choice on a tie", () => {
    const { c, o } = comparison(3.5);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    o.policy = { ...o.policy, figures: o.policy.figures.filter((f) => f.key === 'resources.cpuPct' || f.key === 'resources.rssPeakMb'), decisive: 5 };
    decide(c, o);
    expect(c.decision!.score).toEqual({ rust: 4, ssh2: 0 });
    expect(c.decision!.choice).toBe('ssh2');
    expect(c.decision).toMatchObject({ kind: 'tie', verdict: 'No decisive difference; on a tie the policy takes the ssh2 core' });
    expect(answer(c)).toMatch(/^Answer: no decisive difference: .*; on a tie the policy chooses the ssh2 core\.$/);
  });

  it('a policy weighs what its team cares about: one that counts only RSS at 1,000 sessions picks ssh2 when ssh2 is lighter there', () => {
    const { c, o } = comparison(1.8);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    c.scale['1000']!.rust!.rssMb = 300;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy's placeholder, not a template
    o.policy = { ...o.policy, figures: [{ key: 'scale.${scale}.rssMb', name: 'RSS at the largest session count', weight: 1, minEffect: 0.1 }], decisive: 1 };
    decide(c, o);
    expect(c.decision!.rows[0]).toMatchObject({ key: 'scale.1000.rssMb', better: 'ssh2' });
    expect(answer(c)).toMatch(/^Answer: the ssh2 core: the Rust core is better on nothing; ssh2 on RSS at the largest session count \(1\.15 /);
  });

  it('when neither core meets the plan, the answer says what each misses and which leads between the two', () => {
    const { c, o } = comparison(5.5);
    c.resources.ssh2!.cpuPct = 7; // both over the plan's 5%; ssh2 also recovered only 70/90
    decide(c, o);
    expect(c.decision!.choice).toBe('none');
    expect(c.decision).toMatchObject({ kind: 'neither', verdict: 'Neither core meets the plan; the Rust core leads' });
    expect(answer(c)).toMatch(
      /^Answer: neither core meets the plan here \(rust misses CPU < 5%; ssh2 misses reconnect >= 90% usable within 15 s, CPU < 5%\); between the two, the Rust core leads: /,
    );
  });

  it("the workload floor: each core's CPU above it in the same round, and their ratio", () => {
    const { c, o } = comparison(1.8); // rust 1.8%, ssh2 4% (trials x0.97, x1, x1.03)
    withTrials(c);
    c.trials.workloadFloor = [0.9, 1, 1.1].map((cpuPct) => ({ cpuPct, rssPeakMb: 50, rssMeanMb: 50, echoP95Ms: 0.1 }));
    decideFromTrials(c, o);
    expect(c.workloadFloor!.cpuPct.estimate).toBe(1);
    const core = c.intervals['resources.coreCpuPct']!;
    // rust: 1.746 - 0.9, 1.8 - 1, 1.854 - 1.1; ssh2: 3.88 - 0.9, 4 - 1, 4.12 - 1.1
    expect(core.perCore.rust!.estimate).toBeCloseTo(0.8, 6);
    expect(core.perCore.ssh2!.estimate).toBeCloseTo(3, 6);
    expect(core.ratio!.estimate).toBeGreaterThan(0.25);
    expect(core.ratio!.estimate).toBeLessThan(0.29);
    expect(renderCompareMarkdown(c)).toMatch(/\| workload alone \(no SSH\) \| 1\.00 \[0\.90-1\.10\] \|/);
    expect(c.summary).toContain(
      `Of the mid load's CPU, the workload itself (no SSH) takes 1.00 [0.90-1.10]%; above it, rust 0.80 [0.75-0.85]% and ssh2 3.00 [2.98-3.02]% (rust/ssh2 ${showInterval(core.ratio)}).`,
    );
  });

  it('names the resource trials whose workload fell short, and only those', () => {
    const { c } = comparison(1.8);
    withTrials(c);
    const trials = c.trials.resources;
    for (const core of ['rust', 'ssh2'] as const) for (const t of trials[core]!) Object.assign(t, { echoSamples: 500, streamLines: 90_000, linesLost: 0 });
    expect(renderCompareMarkdown(c)).not.toContain('fell short');
    Object.assign(trials.ssh2![1]!, { linesLost: 12 });
    Object.assign(trials.rust![2]!, { echoSamples: 0 });
    expect(renderCompareMarkdown(c)).toContain('Trials whose workload fell short: rust trial 3 (no echo answered); ssh2 trial 2 (12 stream lines lost).');
  });

  it("a difference smaller than the policy's absolute amount does not count, however sure it is", () => {
    const { c, o } = comparison(1.8);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    const echo = { key: 'latency.echo.p95Ms', name: 'keystroke echo p95', weight: 2, minEffect: 0.1 };
    o.policy = { ...o.policy, figures: [echo], decisive: 1 };
    decide(c, o); // rust 0.5 ms against ssh2 0.6 ms: 17% better, trials in step
    expect(c.decision!.rows[0]!.better).toBe('rust');
    o.policy = { ...o.policy, figures: [{ ...echo, minAbsolute: 1 }] };
    decide(c, o); // but 0.1 ms is less than the 1 ms that matters
    expect(c.decision!.rows[0]!.better).toBe('~');
    expect(c.decision!.choice).toBe('ssh2'); // the policy's choice on a tie
    expect(renderCompareMarkdown(c)).toContain('| 10% and 1 |');
  });

  it('a bad policy file says what to fix', () => {
    const bad = (text: string) => {
      try {
        parsePolicy(text, 'p.json');
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const ok = JSON.stringify(loadPolicy());
    expect(bad(ok)).toBe('accepted');
    expect(bad('{')).toMatch(/^policy p\.json: not JSON/);
    expect(bad(ok.replace('"noise":0.05', '"noise":2'))).toBe("policy p.json: 'noise' must be a number from 0 to 0.5, got 2");
    expect(bad(ok.replace('"onTie":"ssh2"', '"onTie":"js"'))).toMatch(/'onTie' must be "rust", "ssh2" or "none", got "js"/);
    expect(bad(ok.replace('"weight":3', '"weight":-1'))).toMatch(/figures\[0\]\.weight must be a number >= 0, got -1/);
    expect(bad(ok.replace('"minEffect":0.1', '"minEffect":10'))).toMatch(/figures\[0\]\.minEffect must be a number from 0 to 1/);
    expect(bad(ok.replace('"minAbsolute":0.5', '"minAbsolute":-1'))).toMatch(/figures\[0\]\.minAbsolute must be a number >= 0/);
    expect(bad(ok.replace('"minEffect":0.1', '"minEffect":0.1,"minEfect":1'))).toMatch(/figures\[0\]: unknown field 'minEfect'/);
    expect(() => loadPolicy('/nonexistent/policy.json')).toThrow(/policy \/nonexistent\/policy\.json: cannot read it \(ENOENT\)/);
  });

  it('a Rust core that clears every target also wins the policy', () => {
    const { c, o } = comparison(1.8);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    c.throughput['aes128-gcm@openssh.com']!.rust!.cpuSPerGb = 0.55;
    c.scale['1000']!.rust!.cpuPct = 0.5;
    c.latency['russh-napi']!.echo = lat(0.9);
    decide(c, o);
    expect(c.targets.filter((t) => t.pass !== true)).toEqual([]);
    expect(answer(c)).toMatch(/^Answer: the Rust core: /);
  });

  it("a plan limit inside a figure's interval is undecided, and the summary says how many trials would settle it", () => {
    const { c, o } = comparison(3.8);
    c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    c.resources.ssh2!.cpuPct = 5.02; // trials 4.87, 5.02, 5.17 against the plan's 5%
    decide(c, o);
    const cpu = c.plan.ssh2!.find((x) => x.criterion.startsWith('CPU'))!;
    expect(cpu).toMatchObject({ pass: null, value: '5.02 [4.87-5.17]% (undecided)' });
    expect(c.summary).toContain("ssh2: undecided on the plan's criteria measured here.");
    expect(c.summary.at(-1)).toMatch(/^Undecided: ssh2 CPU < 5% \(10 sessions, mid load\): 5\.02 \[4\.87-5\.17\]%, about \d+ trials would settle it/);

    const clear = comparison(3.8);
    clear.c.stability.ssh2 = { scenarios: [], recovered: 90, interrupted: 90, abnormalEnds: 0, compression: 6 };
    clear.c.resources.ssh2!.cpuPct = 4;
    clear.c.resources['russh-napi']!.cpuPct = 5.02; // the third contender does not decide the answer
    decide(clear.c, clear.o);
    expect(clear.c.summary.some((x) => x.startsWith('Undecided'))).toBe(false);
  });

  it('a ratio whose paired trials disagree is undecided against its target, not passed or failed on its middle', () => {
    const { c, o } = comparison(2.6); // 2.6 / 4 = 0.65 against the 0.7 limit
    decide(c, o, { rust: [0.8, 1, 1.25], ssh2: [1, 1, 1] });
    const t = c.targets.find((x) => x.id === 'cpu-mid')!;
    expect(t.pass).toBeNull();
    expect(t.undecided).toBe(true);
    const iv = c.intervals['resources.cpuPct']!.ratio!;
    expect(iv.lo).toBeLessThan(0.7);
    expect(iv.hi).toBeGreaterThan(0.7);
    expect(t.value).toMatch(/^ratio 0\.65 \[0\.\d\d-0\.\d\d\]$/);
    // Every pair has rust below ssh2, so a difference is shown all the same.
    expect(c.intervals['resources.cpuPct']!.difference).toBe('better');
  });

  it("with --busy, the rise of each core's CPU per GB is compared", () => {
    const { c, o } = comparison(1.8);
    o.busy = true;
    const bulk = (cpuSPerGb: number) => ({ bytes: 1e8, wallMs: 250, cpuMs: 100, mbPerS: 400, cpuSPerGb, rssMb: 90 });
    // rust 0.8 -> 1.2 (x1.5), ssh2 1.4 -> 1.54 (x1.1): rust rises 1.36 times as much
    c.throughputBusy = { 'aes128-gcm@openssh.com': { rust: bulk(1.2), ssh2: bulk(1.54) } };
    decide(c, o);
    expect(c.ratios['throughputBusy.aes128-gcm@openssh.com.rise']).toBeCloseTo(1.5 / 1.1, 6);
    expect(c.targets.find((x) => x.id === 'busy-rise')!.pass).toBe(false);
  });

  it('renders every section in markdown and HTML', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    const md = renderCompareMarkdown(c);
    for (const s of ['## 1. Stability', '## 2. Resources', '## 3. Throughput', '## 4. Latency', '## 5. Scale', '## 6. Boundary cost', 'rust/ssh2'])
      expect(md).toContain(s);
    expect(renderCompareHtml(c)).not.toMatch(/<script|https?:\/\//);
    // Both cores' settings side by side, read from the libraries where they fix them.
    expect(md).toContain('| channel window granted | 4096 KiB | 2048 KiB (fixed by ssh2) |');
    expect(md).toContain('| largest packet accepted | 256 KiB | 32 KiB (fixed by ssh2) |');
    expect(md).toContain('## The decision policy: ssh-spike decision policy v3 (bench/policy.json)');
  });

  it('shows flow control per path and core: pauses asked, those the core could not make, and the bytes held', () => {
    const { c, o } = comparison(1.8);
    const flow = (pauses: number, unavailable: number, peak: number) => ({
      drawBytesPerS: 2e6,
      bytes: 4e6,
      pauses,
      pausesUnavailable: unavailable,
      peakUnackedBytes: peak,
      uiPeakQueuedBytes: peak,
      sendMs: 1500,
      drawMs: 2100,
      linesLost: 0,
      rssMb: 150,
    });
    c.uiFlow = { 'main/ipc': { rust: flow(40, 40, 4_100_000), ssh2: flow(38, 0, 300_000) } };
    decide(c, o);
    const md = renderCompareMarkdown(c);
    expect(md).toContain('## 4c. Flow control');
    expect(md).toMatch(/\| main\/ipc \| rust \| 40 \| 40 \| 4004 \| 4004 \| 1\.5 \| 2\.1 \| 150 \| 0 \|/);
    expect(md).toMatch(/\| main\/ipc \| ssh2 \| 38 \| 0 \| 293 \| 293 \|/);
  });

  it('resource figures say the warm-up they were taken after', () => {
    const { c, o } = comparison(1.8);
    c.options = { ...c.options, resourceWarmupMs: 40_000 };
    c.workloads = { ...c.workloads, resources: ['a PTY shell streaming sequence lines'] };
    decide(c, o);
    expect(renderCompareMarkdown(c)).toContain('after a warm-up of 40 s');
  });
});

describe('rounds until the weighted figures are narrow', () => {
  it('names the weighted figures of a section whose ratio interval is wider than the target', () => {
    const { c, o } = comparison(1.8);
    withTrials(c); // the same factors for both cores: every ratio exact
    expect(tooWide(c, o, ['resources.'], 0.1)).toEqual({ weighted: 3, wide: [] });
    withTrials(c, { rust: [0.8, 1, 1.25], ssh2: [1, 1, 1] });
    const { weighted, wide } = tooWide(c, o, ['resources.'], 0.1);
    expect(weighted).toBe(3);
    expect(wide.map((w) => w.key)).toEqual(['resources.cpuPct', 'resources.rssPeakMb', 'resources.echoP95Ms']);
    expect(wide.every((w) => w.halfWidth > 0.1)).toBe(true);
    // a section with no weighted figure has nothing to narrow
    expect(tooWide(c, o, ['boundary.'], 0.1)).toEqual({ weighted: 0, wide: [] });
    // the probe leaves the comparison as it was
    expect(c.summary).toEqual([]);
  });

  it('can judge a section while the later ones have not run yet', () => {
    const { o } = comparison(1.8);
    const c = emptyComparison(o);
    expect(tooWide(c, o, ['resources.'], 0.1)).toEqual({ weighted: 3, wide: [] });
    c.trials.resources = {
      rust: [{ cpuPct: 3, rssPeakMb: 70, rssMeanMb: 70, echoP95Ms: 1 }],
      ssh2: [{ cpuPct: 4, rssPeakMb: 80, rssMeanMb: 80, echoP95Ms: 1 }],
    };
    // one pair has no interval yet: nothing to judge
    expect(tooWide(c, o, ['resources.'], 0.1).wide).toEqual([]);
    c.trials.resources.rust!.push({ cpuPct: 4, rssPeakMb: 70, rssMeanMb: 70, echoP95Ms: 1 });
    c.trials.resources.ssh2!.push({ cpuPct: 4, rssPeakMb: 80, rssMeanMb: 80, echoP95Ms: 1 });
    expect(tooWide(c, o, ['resources.'], 0.1).wide.map((w) => w.key)).toEqual(['resources.cpuPct']);
  });

  it('more pairs that agree narrow the interval, and every trial a section ran counts', () => {
    const { c, o } = comparison(1.8);
    withTrials(c, { rust: [0.8, 1, 1.25], ssh2: [1, 1, 1] });
    const before = tooWide(c, o, ['resources.'], 0).wide.find((w) => w.key === 'resources.cpuPct')!.halfWidth;
    for (const core of ['rust', 'ssh2'] as const) for (let i = 0; i < 5; i++) c.trials.resources[core]!.push({ ...c.resources[core]! });
    const after = tooWide(c, o, ['resources.'], 0).wide.find((w) => w.key === 'resources.cpuPct')!.halfWidth;
    expect(after).toBeLessThan(before);
    decideFromTrials(c, o);
    expect(c.intervals['resources.cpuPct']!.ratio!.n).toBe(8);
  });

  it('the report says how many rounds each section ran and what stayed wide', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    c.options = { ...c.options, halfWidth: 0.1, maxTrials: 8 };
    c.rounds = { resources: { ran: 5, max: 8, wide: [] }, 'scale 1000': { ran: 8, max: 8, wide: [{ key: 'scale.1000.cpuPct', halfWidth: 0.123 }] } };
    expect(renderCompareMarkdown(c)).toContain(
      "Rounds: each section runs at least its trials, then adds rounds while a weighted figure's ratio interval is wider than +/-10% of its median: resources 5; scale 1000 8 of at most 8, still wider: scale.1000.cpuPct +/-12%.",
    );
  });
});

describe('ssh2 at its best', () => {
  it('ssh2 loads its native crypto binding in this Node (npm run build rebuilds it for the running Node)', () => {
    expect(ssh2NativeCrypto(), SSH2_BINDING_FIX).toBe(true);
    expect(coreSettings().ssh2).toContainEqual(['crypto', "ssh2's native binding (OpenSSL)"]);
  });

  it('a report of a run whose ssh2 had no binding says so on top, in markdown and html', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    expect(renderCompareMarkdown(c)).not.toContain('Caution');
    c.settings = { ...c.settings, ssh2: [['crypto', SSH2_FALLBACK_CRYPTO]] };
    expect(renderCompareMarkdown(c)).toMatch(/\*\*Caution:\*\* the ssh2 core ran without its native crypto binding/);
    expect(renderCompareHtml(c)).toContain('<strong>Caution:</strong> the ssh2 core ran without its native crypto binding');
  });
});

describe('bench:compare options', () => {
  it('adds rounds up to --max-trials (10; none with --quick) until every weighted ratio is within --precision (10%)', () => {
    expect(parseCompareArgs([]).options).toMatchObject({ trials: 3, maxTrials: 10, halfWidth: 0.1 });
    expect(parseCompareArgs(['--quick']).options).toMatchObject({ trials: 2, maxTrials: 2 });
    expect(parseCompareArgs(['--max-trials', '12', '--precision', '5%']).options).toMatchObject({ maxTrials: 12, halfWidth: 0.05 });
    expect(parseCompareArgs(['--precision', '0.2']).options.halfWidth).toBe(0.2);
    expect(() => parseCompareArgs(['--trials', '5', '--max-trials', '4'])).toThrow('--max-trials (4) must be at least --trials (5)');
    expect(() => parseCompareArgs(['--precision', '150%'])).toThrow(/--precision must be a share like 10% or 0.1/);
  });

  it('runs on the embedded lab with proxy faults unless told otherwise', () => {
    const { options } = parseCompareArgs([]);
    expect(options.target).toEqual({ kind: 'embedded' });
    expect(options.faults).toBe('proxy');
    expect(options.scaleSizes).toEqual([10, 100, 1000]);
  });

  it('on OpenSSH, scale stops at 100 sessions unless --scale says more', () => {
    expect(parseCompareArgs(['--target', 'openssh']).options.scaleSizes).toEqual([10, 100]);
    expect(parseCompareArgs(['--target', 'openssh', '--scale', '10,1000']).options.scaleSizes).toEqual([10, 1000]);
  });

  it('warms each resource trial up before measuring it (40 s, 20 s quick, --warmup to change), and runs the UI path at the counts --ipc-sessions names', () => {
    expect(parseCompareArgs([]).options.resourceWarmupMs).toBe(40_000);
    expect(parseCompareArgs(['--quick']).options.resourceWarmupMs).toBe(20_000);
    expect(parseCompareArgs(['--warmup', '1m']).options.resourceWarmupMs).toBe(60_000);
    expect(parseCompareArgs(['--warmup', '0']).options.resourceWarmupMs).toBe(0);
    expect(() => parseCompareArgs(['--warmup', 'soon'])).toThrow(/--warmup must be a duration like 90s/);
    expect(parseCompareArgs([]).options.uiSessions).toEqual([10]);
    expect(parseCompareArgs(['--ipc-sessions', '10,100']).options.uiSessions).toEqual([10, 100]);
    expect(() => parseCompareArgs(['--ipc-sessions', '10,lots'])).toThrow(/--ipc-sessions/);
  });

  it('refuses what it cannot run, saying what to use instead', () => {
    expect(() => parseCompareArgs(['--faults', 'netem'])).toThrow(/--faults must be proxy or kernel, got "netem"/);
    expect(() => parseCompareArgs(['--target', 'openssh', '--faults', 'kernel'])).toThrow(/cannot fault --target openssh \(use --faults proxy\)/);
    expect(() => parseCompareArgs(['--target', '/nonexistent/hosts.json'])).toThrow(/no such file/);
  });
});

describe('compare.json', () => {
  it('a decided comparison, written as JSON, follows docs/schemas/compare.schema.json', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    expect(schemaErrors('compare', JSON.parse(JSON.stringify(c)))).toEqual([]);
  });
});
