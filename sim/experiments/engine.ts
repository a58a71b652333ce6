/**
 * The interface between the PE-array experiments (ant, spartan, sparsert, lstm)
 * and whatever computes their cycles: the PE-array cycle model or the Verilator
 * RTL of the array (issue 9). Experiments call only this; an engine is chosen by
 * `--engine model|rtl`. Nothing here computes a figure.
 */
import type { ConvShape } from '../golden/conv-shape.ts';

/** How far the array looks ahead for redundant Cartesian products (ANT). */
export type Anticipation = 'off' | 'vector' | 'element';

/** One SCNN-like outer-product array. */
export interface ArrayConfig {
  /** PEs per row and per column of the array (SCNN: 8 x 8). */
  readonly px: number;
  readonly py: number;
  /** Weights (broadcast operand) per vector, the multiplier array's rows (SCNN: 4). */
  readonly F: number;
  /** Activations (stationary operand) per vector, the multiplier array's columns (SCNN: 4). */
  readonly I: number;
  /** Accumulator banks per PE (SCNN: 2·F·I = 32). */
  readonly banks: number;
  /** Entries per accumulator bank (SCNN: 32). */
  readonly bankDepth: number;
  /** 'off' = SCNN baseline; 'vector' = skip vector pairs that are entirely RCPs; 'element' = also drop single RCPs before the multipliers. */
  readonly anticipation: Anticipation;
}

/** SCNN's configuration (Parashar et al., ISCA 2017), without anticipation. */
export const SCNN_ARRAY: ArrayConfig = { px: 8, py: 8, F: 4, I: 4, banks: 32, bankDepth: 32, anticipation: 'off' };

/** The three training convolutions, and a plain matrix product (FC layers, RNNs, transformers). */
export type EnginePass = 'forward' | 'inputGradient' | 'weightGradient' | 'matmul';

/** C = A (M x K) · B (K x N): the shape of a 'matmul' pass. */
export interface MatmulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * Operands as dense row-major tensors whose zeros are the sparsity pattern
 * (the engine compresses them the way the hardware would).
 * Convolution passes: activations N x C x H x W, weights K x C x R x S, outputGradients N x K x E x F;
 * a pass reads the two it multiplies. Matmul: a is M x K, b is K x N.
 */
export type EngineOperands =
  | { readonly activations?: Int32Array; readonly weights?: Int32Array; readonly outputGradients?: Int32Array }
  | { readonly a: Int32Array; readonly b: Int32Array };

export interface EngineRequest {
  readonly array: ArrayConfig;
  readonly pass: EnginePass;
  /** ConvShape for the three convolution passes, MatmulShape for 'matmul'. */
  readonly shape: ConvShape | MatmulShape;
  readonly operands: EngineOperands;
  /** Layer name, for messages and derived seeds. */
  readonly label: string;
}

/** Counters of one pass on the whole array; every count is summed over PEs unless it says otherwise. */
export interface EngineCounters {
  /** Cycles from the first operand fetch to the last accumulator written, slowest PE. */
  readonly cycles: number;
  /** Multiplier slots that held an operand pair (cycles x F x I minus empty slots), over all PEs. */
  readonly busyMultiplierSlots: number;
  /** Products whose output coordinate is inside the output tensor. */
  readonly validProducts: number;
  /** Redundant Cartesian products that reached a multiplier. */
  readonly rcpsComputed: number;
  /** RCPs removed before the multipliers (vector pairs skipped and single products dropped). */
  readonly rcpsAnticipated: number;
  /** Vector pairs never issued because the range test proved them entirely RCP. */
  readonly vectorPairsSkipped: number;
  /** Cycles lost to two products wanting the same accumulator bank. */
  readonly bankConflictStalls: number;
  /** PE-cycles with no work while another PE was still busy (load imbalance), summed over PEs. */
  readonly idleCycles: number;
  /** Cycles spent exchanging and adding halo partial sums between neighbouring PEs. */
  readonly haloReductionCycles: number;
}

export interface EngineResult {
  readonly counters: EngineCounters;
  /** Which engine made the figure, e.g. 'cycle model' or 'Verilator RTL', with its version. */
  readonly madeBy: string;
}

export type EngineKind = 'model' | 'rtl';

/** A PE-array engine: the cycle model or the RTL. */
export interface PeArrayEngine {
  readonly kind: EngineKind;
  run(request: EngineRequest): Promise<EngineResult>;
}

/**
 * Finds the engine of the given kind. The PE array and its cycle model are issue 9
 * and not in this tree yet, so there is no engine to return.
 */
export function requirePeArrayEngine(kind: EngineKind, experiment: string): PeArrayEngine {
  throw new PendingEngineError(experiment, kind);
}

export class PendingEngineError extends Error {
  constructor(experiment: string, kind: EngineKind) {
    super(
      `experiment "${experiment}" needs the PE-array ${kind === 'rtl' ? 'RTL' : 'cycle model'} (issue 9), which is not in this tree yet; ` +
        'nothing was run and no figure was written. The experiments that run today: rcp-breakdown, dsg, area.',
    );
    this.name = 'PendingEngineError';
  }
}
