// Small statistics helpers for the benchmark: medians, percentiles, ratios, rounding.

export function sorted(values) {
  return Float64Array.from(values).sort();
}

/** The p-th percentile (0..100) by linear interpolation between closest ranks. */
export function percentile(values, p) {
  const s = values instanceof Float64Array ? values : sorted(values);
  if (s.length === 0) return null;
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

export const median = (values) => percentile(values, 50);

/** `[lowest, highest]` of `values`, or null when there are none. */
export const extent = (values) => (values.length ? [Math.min(...values), Math.max(...values)] : null);

export function mean(values) {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** median, p99, mean, min, max and n of a sample (same unit as the sample). */
export function summary(values) {
  const s = sorted(values);
  return {
    n: s.length,
    median: percentile(s, 50),
    p99: percentile(s, 99),
    mean: mean(s),
    min: s[0] ?? null,
    max: s[s.length - 1] ?? null,
  };
}

export function ratio(a, b) {
  if (a == null || b == null || b === 0) return null;
  return a / b;
}

export function round(value, digits = 3) {
  if (value == null || !Number.isFinite(value)) return value ?? null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Rounds every number in a plain JSON value (for results.json). */
export function roundDeep(value, digits = 3) {
  if (typeof value === 'number') return Number.isInteger(value) ? value : round(value, digits);
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)]));
  }
  return value;
}
