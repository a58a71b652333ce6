/**
 * The sizes of a PE array that the scheduler must respect: how many PEs, how
 * many accumulators each holds, and how many operand elements and segments one
 * work unit may bring into the buffers.
 */
export interface ArrayConfig {
  /** PEs per row (x) and per column (y). */
  readonly px: number;
  readonly py: number;
  /** Broadcast (F) and stationary (I) non-zeros per multiplier-array issue. */
  readonly F: number;
  readonly I: number;
  /** Accumulator banks per PE (A, a power of two) and entries per bank (D). */
  readonly banks: number;
  readonly bankDepth: number;
  /** Stationary non-zeros one PE holds in one work unit. */
  readonly stationaryCapacity: number;
  /** Broadcast non-zeros of one work unit. */
  readonly broadcastCapacity: number;
  /** Segments of one PE, and broadcast segments, in one work unit. */
  readonly segmentCapacity: number;
}

/** SCNN's array (8 x 8 PEs of 4 x 4 multipliers, 32 banks x 32 entries) with buffer sizes of our choosing. */
export const DEFAULT_ARRAY_CONFIG: ArrayConfig = {
  px: 8,
  py: 8,
  F: 4,
  I: 4,
  banks: 32,
  bankDepth: 32,
  stationaryCapacity: 2048,
  broadcastCapacity: 2048,
  segmentCapacity: 512,
};

export function accumulatorEntries(cfg: ArrayConfig): number {
  return cfg.banks * cfg.bankDepth;
}

export function validateArrayConfig(cfg: ArrayConfig): ArrayConfig {
  const positive: (keyof ArrayConfig)[] = ['px', 'py', 'F', 'I', 'banks', 'bankDepth', 'stationaryCapacity', 'broadcastCapacity', 'segmentCapacity'];
  for (const key of positive) {
    const v = cfg[key];
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`array configuration: ${key} must be a positive integer, got ${v}`);
  }
  if ((cfg.banks & (cfg.banks - 1)) !== 0) throw new RangeError(`array configuration: banks must be a power of two, got ${cfg.banks}`);
  return cfg;
}
