/**
 * Intervals for repeated measurements: the median of trials with a distribution-free confidence
 * interval, the ratio of two contenders from paired trials with a seeded bootstrap interval, and
 * the two judgments made from them: is a difference real ("~" when it is not, as benchstat
 * prints), and is a limit met (pass, fail, or undecided with the trials that would likely settle
 * it). Seeded, so the same trials always give the same figures.
 */

export interface Interval {
  /** The point estimate (a median, or a ratio). */
  estimate: number;
  lo: number;
  hi: number;
  /**
   * The confidence actually reached: with few trials an order-statistic interval cannot reach
   * the level asked for, and says so (5 trials: at best 93.75 %, from the smallest to the
   * largest). 0 when there is nothing to go on.
   */
  level: number;
  /** Trials (or pairs) behind it. */
  n: number;
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sorted(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/** The median (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const s = sorted(values);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(k: number, n: number): number {
  let term = 0.5 ** n; // P(X = 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * The median of `values` with a distribution-free interval from order statistics: the widest
 * pair X(k), X(n-k+1) whose coverage 1 - 2 P(Bin(n, 1/2) <= k-1) reaches `level`, or, when no
 * pair does (fewer than 6 trials for 95 %), the smallest to the largest with the coverage it has.
 */
export function medianInterval(values: readonly number[], level = 0.95): Interval {
  const s = sorted(values);
  const n = s.length;
  if (n === 0) return { estimate: Number.NaN, lo: Number.NaN, hi: Number.NaN, level: 0, n: 0 };
  if (n === 1) return { estimate: s[0]!, lo: s[0]!, hi: s[0]!, level: 0, n: 1 };
  let k = 1;
  while (k + 1 <= n - k && 1 - 2 * binomialHalfCdf(k, n) >= level) k++;
  const coverage = 1 - 2 * binomialHalfCdf(k - 1, n);
  return { estimate: median(s), lo: s[k - 1]!, hi: s[n - k]!, level: coverage, n };
}

/**
 * The ratio a/b of two contenders measured in paired trials (pair i ran side by side, so drift
 * of the machine hits both): the geometric mean of the per-pair ratios, with a percentile
 * interval from `resamples` bootstrap resamples of the pairs, drawn from `seed`.
 */
export function pairedRatio(a: readonly number[], b: readonly number[], options: { seed: number; resamples?: number; level?: number }): Interval {
  const level = options.level ?? 0.95;
  const logs: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = a[i]! / b[i]!;
    if (Number.isFinite(r) && r > 0) logs.push(Math.log(r));
  }
  const n = logs.length;
  if (n === 0) return { estimate: Number.NaN, lo: 0, hi: Number.POSITIVE_INFINITY, level: 0, n: 0 };
  const estimate = Math.exp(logs.reduce((x, y) => x + y, 0) / n);
  if (n === 1) return { estimate, lo: 0, hi: Number.POSITIVE_INFINITY, level: 0, n: 1 };
  const draw = seeded(options.seed);
  const resamples = options.resamples ?? 4000;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += logs[Math.floor(draw() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const at = (q: number) => Math.exp(means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!);
  return { estimate, lo: at((1 - level) / 2), hi: at(1 - (1 - level) / 2), level, n };
}

/** How far an interval reaches from its estimate, relative to it: the larger side (0.1: +/-10%); NaN without one. */
export function halfWidth(iv: { estimate: number; lo: number; hi: number } | null | undefined): number {
  if (!iv || !(iv.estimate > 0) || !Number.isFinite(iv.hi)) return Number.NaN;
  return Math.max(iv.hi / iv.estimate - 1, 1 - iv.lo / iv.estimate);
}

/**
 * Whether a ratio a/b shows a real difference: '~' when its interval includes 1 or when it is
 * within `noise` of 1 (a stated threshold below which a difference is not worth a decision),
 * otherwise which side is better.
 */
export function difference(ratio: Interval, options: { noise: number; lowerIsBetter: boolean }): 'better' | 'worse' | '~' {
  if (!Number.isFinite(ratio.estimate) || ratio.level === 0) return '~';
  if (ratio.lo <= 1 && ratio.hi >= 1) return '~';
  if (Math.abs(ratio.estimate - 1) < options.noise) return '~';
  const lower = ratio.estimate < 1;
  return lower === options.lowerIsBetter ? 'better' : 'worse';
}

export interface Judgment {
  outcome: 'pass' | 'fail' | 'undecided';
  /**
   * When undecided: about how many trials would likely settle it (half-widths shrink as 1/sqrt(n));
   * absent when the estimate sits on the limit, or more than 1,000 trials would be needed.
   */
  trialsToSettle?: number;
}

/**
 * A limit judged on an interval, not on a point: pass when the whole interval is inside it, fail
 * when it is wholly outside, otherwise undecided. `within` is the side that passes.
 */
export function judgeLimit(iv: Interval, limit: number, within: 'below' | 'above'): Judgment {
  if (!Number.isFinite(iv.estimate) || iv.level === 0) return { outcome: 'undecided' };
  const inside = within === 'below' ? iv.hi <= limit : iv.lo >= limit;
  const outside = within === 'below' ? iv.lo > limit : iv.hi < limit;
  if (inside) return { outcome: 'pass' };
  if (outside) return { outcome: 'fail' };
  const gap = Math.abs(iv.estimate - limit);
  const half = Math.max(iv.estimate - iv.lo, iv.hi - iv.estimate);
  if (gap <= 1e-9 * Math.abs(limit) || !Number.isFinite(half)) return { outcome: 'undecided' };
  const trials = Math.ceil(iv.n * (half / gap) ** 2);
  return trials <= 1000 ? { outcome: 'undecided', trialsToSettle: trials } : { outcome: 'undecided' };
}

/**
 * A proportion `successes / n` with its Wilson score interval (95 % unless asked): unlike the
 * plain p ± z·se it stays inside [0, 1] and is not empty at 0 or n successes. Each event counts
 * as one draw, which is generous where one fault hits many sessions at once; `level` 0 when n is 0.
 */
export function proportionInterval(successes: number, n: number, level = 0.95): Interval {
  if (!(n > 0)) return { estimate: Number.NaN, lo: Number.NaN, hi: Number.NaN, level: 0, n: 0 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  // At none or all, the bound on that side is exactly 0 or 1 (rounding would leave 1e-16 off).
  return { estimate: p, lo: successes <= 0 ? 0 : Math.max(0, centre - half), hi: successes >= n ? 1 : Math.min(1, centre + half), level, n };
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(q: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (r: number) =>
    (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  if (!(q > 0 && q < 1)) return q === 0 ? Number.NEGATIVE_INFINITY : q === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  if (q < 0.02425) return tail(Math.sqrt(-2 * Math.log(q)));
  if (q > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - q)));
  const x = q - 0.5;
  const r = x * x;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * x) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
