/**
 * Exact top-K selection by magnitude, ties broken towards the lower index, so a
 * target density is met exactly: a tensor of n values keeps round(density * n).
 */

/** Number of values kept for `density` of `count`: round half up, within [0, count]. */
export function keepCount(count: number, density: number): number {
  return Math.min(count, Math.max(0, Math.round(density * count)));
}

/**
 * Mask (1 = keep) of the `keep` largest scores, lower index first among equals.
 * Scores must be non-negative integers (magnitudes or quantised scores).
 */
export function topKMask(scores: ArrayLike<number>, keep: number): Uint8Array {
  const n = scores.length;
  const mask = new Uint8Array(n);
  if (keep <= 0) return mask;
  if (keep >= n) return mask.fill(1);
  let maxScore = 0;
  for (let i = 0; i < n; i++) maxScore = Math.max(maxScore, scores[i]!);
  let threshold: number;
  let takeAtThreshold: number;
  if (maxScore <= 1 << 20) {
    // Counting histogram: linear time for the bounded integer scores of fixed-point tensors.
    const histogram = new Float64Array(maxScore + 1);
    for (let i = 0; i < n; i++) histogram[scores[i]!]!++;
    let above = 0;
    threshold = maxScore;
    while (above + histogram[threshold]! < keep) above += histogram[threshold--]!;
    takeAtThreshold = keep - above;
  } else {
    const sorted = Float64Array.from(scores).sort();
    threshold = sorted[n - keep]!;
    let above = 0;
    for (let i = 0; i < n; i++) if (scores[i]! > threshold) above++;
    takeAtThreshold = keep - above;
  }
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (s > threshold) mask[i] = 1;
    else if (s === threshold && takeAtThreshold > 0) {
      mask[i] = 1;
      takeAtThreshold--;
    }
  }
  return mask;
}

/** Zeroes all but the `keep` largest-magnitude values (SWAT / magnitude pruning). */
export function keepTopKByMagnitude(values: Int32Array, keep: number): Int32Array {
  const magnitudes = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) magnitudes[i] = Math.abs(values[i]!);
  const mask = topKMask(magnitudes, keep);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) if (mask[i] === 1) out[i] = values[i]!;
  return out;
}
