/**
 * How the array overlaps its phases (docs/pe-array.md section 3): two broadcast
 * buffers, so the next unit's fill runs while the current unit computes; two
 * accumulator sets, so a window group drains while the next group computes; a
 * barrier at the end of each unit's compute. Given each unit's fill, compute
 * (slowest PE) and drain costs, returns when every phase starts and ends.
 *
 *   fillStart(u)    = max(fillEnd(u-1), computeEnd(u-2))              buffer of u-2 is free
 *   computeStart(u) = max(fillEnd(u), computeEnd(u-1), drainEnd(g-2)) g = group of u, on its first unit
 *   drainStart(g)   = max(computeEnd(last unit of g), drainEnd(g-1))
 *   total           = drainEnd(last group)
 */
export interface UnitPhaseCosts {
  /** Cycles to stream the unit's broadcast operand into the PE buffers. */
  readonly fill: number;
  /** Cycles of the slowest PE (the barrier). */
  readonly compute: number;
  /** Window group of the unit: consecutive units of one group accumulate into the same accumulator set. */
  readonly group: number;
  /** Cycles to drain the group's accumulators; read from the group's last unit. */
  readonly drain: number;
}

export interface UnitTimeline {
  readonly fillStart: number;
  readonly fillEnd: number;
  readonly computeStart: number;
  readonly computeEnd: number;
}

export interface ArrayTimeline {
  readonly units: readonly UnitTimeline[];
  /** Drain [start, end) of each group, in group order. */
  readonly drains: readonly { readonly group: number; readonly start: number; readonly end: number }[];
  readonly totalCycles: number;
  /** Cycles in which no PE computes (waiting for a fill or a free accumulator set, and the final drain). */
  readonly stallCycles: number;
}

export function arrayTimeline(costs: readonly UnitPhaseCosts[]): ArrayTimeline {
  const units: UnitTimeline[] = [];
  const drains: { group: number; start: number; end: number }[] = [];
  let computeBusy = 0;
  for (let u = 0; u < costs.length; u++) {
    const c = costs[u]!;
    for (const key of ['fill', 'compute', 'drain'] as const) {
      if (!Number.isSafeInteger(c[key]) || c[key] < 0) throw new RangeError(`unit ${u}: ${key} cycles must be a non-negative integer, got ${c[key]}`);
    }
    const previous = costs[u - 1];
    if (previous && c.group < previous.group) throw new RangeError(`unit ${u}: groups must not decrease (${previous.group} then ${c.group})`);
    const fillStart = Math.max(units[u - 1]?.fillEnd ?? 0, units[u - 2]?.computeEnd ?? 0);
    const fillEnd = fillStart + c.fill;
    const startsGroup = !previous || previous.group !== c.group;
    // A group's first unit needs the accumulator set that the group before the previous one is draining.
    const setFree = startsGroup ? (drains[drains.length - 2]?.end ?? 0) : 0;
    const computeStart = Math.max(fillEnd, units[u - 1]?.computeEnd ?? 0, setFree);
    const computeEnd = computeStart + c.compute;
    units.push({ fillStart, fillEnd, computeStart, computeEnd });
    computeBusy += c.compute;
    const endsGroup = u === costs.length - 1 || costs[u + 1]!.group !== c.group;
    if (endsGroup) {
      const start = Math.max(computeEnd, drains[drains.length - 1]?.end ?? 0);
      drains.push({ group: c.group, start, end: start + c.drain });
    }
  }
  const totalCycles = Math.max(drains[drains.length - 1]?.end ?? 0, units[units.length - 1]?.computeEnd ?? 0);
  return { units, drains, totalCycles, stallCycles: totalCycles - computeBusy };
}
