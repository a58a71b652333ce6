/**
 * The sizes of a PE array that the scheduler must respect: how many PEs, how
 * many accumulators each holds, and how many operand elements and segments one
 * work unit may bring into the buffers.
 *
 * One source of truth: an array is its hardware parameters (ArrayTopParams of
 * hw/scnn/array-params.ts, the PE's F, I, banks and depths included) plus the
 * scheduler's per-unit capacities; the scheduler's flat ArrayConfig is derived
 * from them by `scheduleConfig`.
 */
import { DEFAULT_ARRAY_TOP, type ArrayTopParams } from '../../hw/scnn/array-params.ts';
import type { AnticipationCapability, PeParams } from '../../hw/scnn/pe-params.ts';
import type { ScheduleArray } from './array-images.ts';

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
  /** Width of every coordinate field of an operand word and of the PE's window and geometry registers. */
  readonly coordBits: number;
  /** Pointer-table entries of one work unit (the PE's pointer memory), and the capability that sizes each segment's tables. */
  readonly pointerDepth: number;
  readonly anticipation: AnticipationCapability;
  /** How the scheduler maps a weight gradient onto the PEs (docs/pe-array.md section 4, step 1); `auto` when absent. */
  readonly weightGradientMapping?: WeightGradientMapping;
  /** Which operand of a weight gradient stays in the PEs (docs/pe-array.md section 4, step 1); `auto` when absent. */
  readonly weightGradientStationary?: WeightGradientStationary;
}

/**
 * planar: every PE holds a tile of the activation plane and the same block of the weight
 * gradient, which the reduction network sums over the PEs; channels: every PE holds the whole
 * plane of its own activation channels and its own block, drained in parallel with no
 * reduction; auto: channels when every PE gets at least I channels and the non-zeros of their
 * whole plane fit its buffer (in every sample), planar otherwise.
 */
export type WeightGradientMapping = 'planar' | 'channels' | 'auto';
export const WEIGHT_GRADIENT_MAPPINGS: readonly WeightGradientMapping[] = ['auto', 'planar', 'channels'];

/**
 * activations: the activations stay in the PEs and the output gradients are broadcast (the
 * `weightGradient` pass); outputGradients: the other way round (`weightGradientSwapped`), which
 * broadcasts the sparse operand and keeps the dense one; auto: the one the scheduler's sampled
 * cycle estimate finds faster, the output gradients only where the activation plane's tables fit.
 */
export type WeightGradientStationary = 'activations' | 'outputGradients' | 'auto';
export const WEIGHT_GRADIENT_STATIONARY: readonly WeightGradientStationary[] = ['auto', 'activations', 'outputGradients'];

/** How much of each operand one work unit may bring (the scheduler's capacities). */
export interface UnitCapacities {
  readonly stationaryCapacity: number;
  readonly broadcastCapacity: number;
  readonly segmentCapacity: number;
  /** Pointer-table entries one unit may use, at most the PE's pointer memory (its size when absent). */
  readonly pointerCapacity?: number;
}

/** An array as built (hardware parameters) with the capacities its schedules use. */
export interface ArraySpec {
  readonly top: ArrayTopParams;
  readonly capacities: UnitCapacities;
}

/** A work unit as large as one PE's buffers hold: what a PE that keeps one unit at a time can take. */
export function peCapacities(pe: PeParams): UnitCapacities {
  return { stationaryCapacity: pe.stationaryDepth, broadcastCapacity: pe.broadcastDepth, segmentCapacity: pe.segmentDepth };
}

/** The scheduler's view of an array: the hardware's F, I and accumulators, a grid of at most its PEs, and the unit capacities. */
export function scheduleConfig(params: ArrayTopParams, grid: ScheduleArray, capacities: UnitCapacities): ArrayConfig {
  const { pointerCapacity = params.pe.pointerDepth, ...rest } = capacities;
  if (pointerCapacity > params.pe.pointerDepth) throw new RangeError(`a unit's pointer capacity (${pointerCapacity}) exceeds the PE's pointer memory (${params.pe.pointerDepth})`);
  return { px: grid.px, py: grid.py, F: params.pe.F, I: params.pe.I, banks: params.pe.banks, bankDepth: params.pe.bankDepth, coordBits: params.pe.coordBits, pointerDepth: pointerCapacity, anticipation: params.pe.anticipation, ...rest };
}

/** The default array top (8 x 8 PEs of 4 x 4 multipliers) with units as large as its PE buffers. */
export const DEFAULT_ARRAY_SPEC: ArraySpec = { top: DEFAULT_ARRAY_TOP, capacities: peCapacities(DEFAULT_ARRAY_TOP.pe) };

/** The default array as the scheduler sees it, derived from DEFAULT_ARRAY_SPEC. */
export const DEFAULT_ARRAY_CONFIG: ArrayConfig = scheduleConfig(DEFAULT_ARRAY_SPEC.top, DEFAULT_ARRAY_SPEC.top, DEFAULT_ARRAY_SPEC.capacities);

/** The largest value a coordinate field holds. */
export function maxCoordinate(cfg: ArrayConfig): number {
  return 2 ** cfg.coordBits - 1;
}

export function accumulatorEntries(cfg: ArrayConfig): number {
  return cfg.banks * cfg.bankDepth;
}

export function validateArrayConfig(cfg: ArrayConfig): ArrayConfig {
  const positive: readonly ('px' | 'py' | 'F' | 'I' | 'banks' | 'bankDepth' | 'stationaryCapacity' | 'broadcastCapacity' | 'segmentCapacity' | 'coordBits' | 'pointerDepth')[] = ['px', 'py', 'F', 'I', 'banks', 'bankDepth', 'stationaryCapacity', 'broadcastCapacity', 'segmentCapacity', 'coordBits', 'pointerDepth'];
  for (const key of positive) {
    const v = cfg[key];
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`array configuration: ${key} must be a positive integer, got ${v}`);
  }
  if ((cfg.banks & (cfg.banks - 1)) !== 0) throw new RangeError(`array configuration: banks must be a power of two, got ${cfg.banks}`);
  return cfg;
}
