// Latency histogram in the manner of HdrHistogram: integer microseconds, exact below 1024 µs and
// log-linear above (512 sub-buckets per power of two, so any recorded value is reported within
// 0.2 %). Memory is fixed (~15k counters) whatever the number of samples, which matters when a
// 15 s phase records over a million sends.

const EXACT = 1024; // values below this many µs get their own bucket
const SUB_BITS = 9; // 512 sub-buckets per power of two above EXACT
const SUB = 1 << SUB_BITS;
const FIRST_EXPONENT = Math.log2(EXACT); // 10
const MAX_EXPONENT = 40; // 2^40 µs ≈ 12.7 days: anything longer is clamped

export interface LatencySummary {
  count: number;
  /** All in milliseconds. */
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

function bucketOf(us: number): number {
  if (us < EXACT) return us;
  const exponent = Math.min(MAX_EXPONENT, Math.floor(Math.log2(us)));
  const sub = Math.min(SUB - 1, Math.floor(us / 2 ** (exponent - SUB_BITS)) - SUB);
  return EXACT + (exponent - FIRST_EXPONENT) * SUB + sub;
}

/** The largest µs value that falls in `bucket` (what a percentile reports, like HDR's highestEquivalentValue). */
function upperBound(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const exponent = FIRST_EXPONENT + Math.floor((bucket - EXACT) / SUB);
  const sub = (bucket - EXACT) % SUB;
  const width = 2 ** (exponent - SUB_BITS);
  return (SUB + sub + 1) * width - 1;
}

export class LatencyHistogram {
  #counts = new Float64Array(EXACT + (MAX_EXPONENT - FIRST_EXPONENT + 1) * SUB);
  #count = 0;
  #sumUs = 0;
  #maxUs = 0;

  /** Record one latency in milliseconds (fractions kept to the microsecond). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.#counts[bucketOf(us)]!++;
    this.#count++;
    this.#sumUs += us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  get count(): number {
    return this.#count;
  }

  /** The smallest recorded value (ms) that at least `p` percent of samples do not exceed; 0 when empty. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = nearestRank(p, this.#count);
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(upperBound(i), this.#maxUs) / 1000;
    }
    return this.#maxUs / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      mean: this.#count === 0 ? 0 : this.#sumUs / this.#count / 1000,
      p50: this.percentile(50),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.#maxUs / 1000,
    };
  }
}

/** Exact nearest-rank percentile of ascending `sorted` values (the reference the histogram is tested against). */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = nearestRank(p, sorted.length);
  return sorted[rank - 1]!;
}

/** 1-based rank of the p-th percentile of n samples; the epsilon keeps 0.999 × 1000 from rounding up to 1000. */
function nearestRank(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n - 1e-9)));
}
