/**
 * Figures for the report: percentiles (nearest rank, as the samples are few: p99 of 200
 * samples is the 198th smallest) and number formatting. Pure.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary { readonly n: number; readonly median: number; readonly p99: number }

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, median: percentile(s, 50), p99: percentile(s, 99) };
}

export const fmtInt = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
export const fmtUs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 100 ? 1 : 0)} µs` : 'n/a');
export const fmtRatio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : 'n/a';
