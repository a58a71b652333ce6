/**
 * Golden model of the sparsity monitor (hw/spartan/sparsity-monitor.ts).
 *
 * The monitor sees a tensor as the M x L matrix its stream carries row by row
 * (e.g. CHW activations with L = H*W: a row per channel; or L = W: a row per
 * image row). Tiles are tileRows x tileCols blocks of that matrix in
 * row-major tile order; the last tile row may be shorter. Counts come from
 * the repository's CSR/CSC encodings of the matrix and of the channel views.
 */
import { encodeCsc, encodeCsr } from '../formats/csr.ts';

export type ChannelLayout = 'none' | 'planar' | 'interleaved';

export interface MonitorConfig {
  readonly lanes: number;
  /** L: elements per matrix row. */
  readonly rowLength: number;
  readonly tileCols: number;
  readonly tileRows: number;
  /** M: matrix rows per tensor. */
  readonly rows: number;
  /** Dense iff 256 * nonZeros >= threshold * elements; 0..255. */
  readonly threshold: number;
  readonly channelLayout: ChannelLayout;
  /** Channels per tensor (planar and interleaved layouts). */
  readonly channels?: number;
  /** Elements per channel plane (planar layout). */
  readonly planeSize?: number;
}

/** The capacity of one monitor instance (its hardware parameters). */
export interface MonitorLimits {
  readonly lanes: number;
  readonly dimBits: number;
  readonly countBits: number;
  readonly maxTilesPerRow: number;
  readonly maxTiles: number;
  readonly channelLayout: ChannelLayout;
  readonly maxChannels: number;
}

export interface TileResult {
  readonly index: number;
  readonly nonZeros: number;
  readonly elements: number;
  readonly dense: boolean;
}

export interface MonitorResult {
  readonly tiles: TileResult[];
  readonly channelNonZeros: number[];
  readonly totalNonZeros: number;
}

export type MonitorRecordKind = 'Tile' | 'Channel' | 'Total';

/** One record of the monitor's readout stream. */
export interface MonitorRecordValue {
  readonly kind: MonitorRecordKind;
  readonly index: number;
  readonly nonZeros: number;
  readonly dense: boolean;
  readonly last: boolean;
}

export const DENSITY_SCALE = 256;

export function tileCount(cfg: MonitorConfig): number {
  return Math.ceil(cfg.rows / cfg.tileRows) * (cfg.rowLength / cfg.tileCols);
}

/** Throws with the reason when the monitor cannot take this configuration. */
export function validateMonitorConfig(cfg: MonitorConfig, limits: MonitorLimits): void {
  const fail = (why: string): never => {
    throw new RangeError(`monitor configuration: ${why}`);
  };
  if (cfg.lanes !== limits.lanes) fail(`lanes ${cfg.lanes} differ from the hardware's ${limits.lanes}`);
  if (cfg.channelLayout !== limits.channelLayout) fail(`channel layout '${cfg.channelLayout}' differs from the hardware's '${limits.channelLayout}'`);
  const maxDim = 2 ** limits.dimBits - 1;
  for (const key of ['rowLength', 'tileCols', 'tileRows', 'rows'] as const) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v < 1 || v > maxDim) fail(`${key} = ${v} is outside 1..${maxDim}`);
  }
  if (cfg.tileCols < cfg.lanes) fail(`tileCols ${cfg.tileCols} is narrower than a beat (${cfg.lanes} lanes)`);
  if (cfg.rowLength % cfg.tileCols !== 0) fail(`rowLength ${cfg.rowLength} is not a multiple of tileCols ${cfg.tileCols}`);
  if (cfg.rowLength / cfg.tileCols > limits.maxTilesPerRow) fail(`${cfg.rowLength / cfg.tileCols} tiles per row exceed ${limits.maxTilesPerRow}`);
  if (tileCount(cfg) > limits.maxTiles) fail(`${tileCount(cfg)} tiles exceed the result memory (${limits.maxTiles})`);
  if (!Number.isInteger(cfg.threshold) || cfg.threshold < 0 || cfg.threshold >= DENSITY_SCALE) fail(`threshold ${cfg.threshold} is outside 0..255`);
  const elements = cfg.rows * cfg.rowLength;
  if (elements >= 2 ** limits.countBits) fail(`${elements} elements overflow ${limits.countBits}-bit counts`);
  if (cfg.channelLayout === 'none') return;
  const channels = cfg.channels ?? fail('channels is missing');
  if (!Number.isInteger(channels) || channels < 1 || channels > limits.maxChannels) fail(`channels = ${channels} is outside 1..${limits.maxChannels}`);
  if (cfg.channelLayout === 'planar') {
    const plane = cfg.planeSize ?? fail('planeSize is missing');
    if (!Number.isInteger(plane) || plane < cfg.lanes || plane > maxDim) fail(`planeSize ${plane} is outside ${cfg.lanes}..${maxDim}`);
    if (plane * channels !== elements) fail(`${channels} planes of ${plane} are not the tensor's ${elements} elements`);
  } else {
    if (channels % cfg.lanes !== 0) fail(`interleaved channels (${channels}) must be a multiple of the lanes (${cfg.lanes})`);
    if (elements % channels !== 0) fail(`${elements} elements are not whole pixels of ${channels} channels`);
  }
}

/** What the monitor measures for one tensor (flat stream order). */
export function monitorTensor(values: Int32Array, cfg: MonitorConfig): MonitorResult {
  const { rows, rowLength: L, tileRows: Th, tileCols: Tc } = cfg;
  if (values.length !== rows * L) throw new RangeError(`${values.length} values for a ${rows} x ${L} matrix`);
  const csr = encodeCsr({ dims: [rows, L], values });
  const tilesPerRow = L / Tc;
  const tiles: TileResult[] = [];
  for (let firstRow = 0; firstRow < rows; firstRow += Th) {
    const lastRow = Math.min(rows, firstRow + Th);
    const counts = new Array<number>(tilesPerRow).fill(0);
    for (let r = firstRow; r < lastRow; r++) {
      for (let k = csr.rowPtr[r]!; k < csr.rowPtr[r + 1]!; k++) counts[Math.floor(csr.colIdx[k]! / Tc)]!++;
    }
    counts.forEach((nonZeros) => {
      const elements = (lastRow - firstRow) * Tc;
      tiles.push({ index: tiles.length, nonZeros, elements, dense: DENSITY_SCALE * nonZeros >= cfg.threshold * elements });
    });
  }
  let channelNonZeros: number[] = [];
  if (cfg.channelLayout === 'planar') {
    const planes = encodeCsr({ dims: [cfg.channels!, cfg.planeSize!], values });
    channelNonZeros = Array.from({ length: cfg.channels! }, (_, c) => planes.rowPtr[c + 1]! - planes.rowPtr[c]!);
  } else if (cfg.channelLayout === 'interleaved') {
    const pixels = encodeCsc({ dims: [values.length / cfg.channels!, cfg.channels!], values });
    channelNonZeros = Array.from({ length: cfg.channels! }, (_, c) => pixels.colPtr[c + 1]! - pixels.colPtr[c]!);
  }
  return { tiles, channelNonZeros, totalNonZeros: csr.values.length };
}

/** The readout records of one tensor: tiles, then channels, then the total (marked last). */
export function monitorRecords(result: MonitorResult): MonitorRecordValue[] {
  return [
    ...result.tiles.map((t) => ({ kind: 'Tile' as const, index: t.index, nonZeros: t.nonZeros, dense: t.dense, last: false })),
    ...result.channelNonZeros.map((n, c) => ({ kind: 'Channel' as const, index: c, nonZeros: n, dense: false, last: false })),
    { kind: 'Total' as const, index: 0, nonZeros: result.totalNonZeros, dense: false, last: true },
  ];
}
