/**
 * How a tensor travels on a V-lane stream: its flat (row-major) values in
 * order, V per beat, lane j of beat b holding element b*V + j. Each tensor
 * starts on a new beat; the lanes past its end in its last beat are padding.
 */

/** Beats of a flat tensor, padded with `pad` in the lanes past its end. */
export function tensorToBeats(values: ArrayLike<number>, lanes: number, pad = 0): bigint[][] {
  if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`lanes must be a positive integer, got ${lanes}`);
  const beats: bigint[][] = [];
  for (let start = 0; start < values.length; start += lanes) {
    const beat: bigint[] = [];
    for (let j = 0; j < lanes; j++) beat.push(BigInt(start + j < values.length ? values[start + j]! : pad));
    beats.push(beat);
  }
  return beats;
}

export function beatCount(elements: number, lanes: number): number {
  return Math.ceil(elements / lanes);
}

/** Splits a list into consecutive vectors of `size`, then one final vector of the 0..size-1 left over. */
export function chunkWithFinal<T>(items: readonly T[], size: number): { items: T[]; last: boolean }[] {
  const out: { items: T[]; last: boolean }[] = [];
  const full = Math.floor(items.length / size);
  for (let v = 0; v < full; v++) out.push({ items: items.slice(v * size, (v + 1) * size), last: false });
  out.push({ items: items.slice(full * size), last: true });
  return out;
}
