import { Bool, bitsFor, cat, defineModule, HwError, Input, lit, log2Ceil, mux, Output, reg, select, UInt, Vec, when } from '../index.ts';
import { popcount } from '../lib/arith.ts';

/** Density thresholds are fractions in 1/256 steps. */
export const THRESHOLD_BITS = 8;

export interface TileCounterParams {
  lanes: number;
  /** Bits of the geometry inputs (row length, tile sides, rows). */
  dimBits: number;
  /** Bits of a tile's non-zero count. */
  countBits: number;
  /** Tile columns per matrix row the counter can hold open (rowLength / tileCols at most). */
  maxTilesPerRow: number;
  /** Compute the dense/sparse flag (needs the threshold input). */
  withDensity: boolean;
}

export function validateTileCounterParams(p: TileCounterParams): void {
  if (!Number.isInteger(p.lanes) || p.lanes < 1) throw new HwError(`TileCounter: lanes must be a positive integer, got ${p.lanes}`);
  if (!Number.isInteger(p.dimBits) || 2 ** p.dimBits <= p.lanes) throw new HwError(`TileCounter: dimBits must have 2^dimBits > lanes, got ${p.dimBits}`);
  if (!Number.isInteger(p.countBits) || p.countBits < p.dimBits) throw new HwError(`TileCounter: countBits (${p.countBits}) must be at least dimBits (${p.dimBits})`);
  if (!Number.isInteger(p.maxTilesPerRow) || p.maxTilesPerRow < 1) throw new HwError(`TileCounter: maxTilesPerRow must be a positive integer, got ${p.maxTilesPerRow}`);
}

/**
 * Counts the non-zeros of each tile of a stream that carries an M x L matrix
 * row by row, V elements per beat. A tile is tileRows x tileCols elements;
 * tileCols >= V and L a multiple of tileCols, so a beat meets at most one
 * tile boundary: lanes below it belong to tile A (the open one), lanes from
 * it on to tile B (the next column, or column 0 of the next row). The lanes
 * past the matrix's last element are ignored; the next beat starts a new
 * matrix.
 *
 * One accumulator per tile column of the open tile row; a tile is finished
 * when its last element passes, at most one per beat, in row-major tile
 * order. Its flag: dense iff 256 * nonZeros >= threshold * elements, where
 * elements = tileCols * (rows of the tile row).
 */
export const TileCounter = defineModule({
  name: (p: TileCounterParams) => `TileCounter_v${p.lanes}_d${p.dimBits}_c${p.countBits}_t${p.maxTilesPerRow}${p.withDensity ? '' : '_nodensity'}`,
  io: (p: TileCounterParams) => ({
    fire: Input(Bool()),
    nonZero: Input(UInt(p.lanes)),
    rowLength: Input(UInt(p.dimBits)),
    tileCols: Input(UInt(p.dimBits)),
    tileRows: Input(UInt(p.dimBits)),
    rows: Input(UInt(p.dimBits)),
    threshold: Input(UInt(THRESHOLD_BITS)),
    tileDone: Output(Bool()),
    tileNonZeros: Output(UInt(p.countBits)),
    tileDense: Output(Bool()),
    tensorEnd: Output(Bool()),
    /** Non-zeros of this beat that lie inside the matrix. */
    beatNonZeros: Output(UInt(bitsFor(p.lanes))),
  }),
  body: (io, p) => {
    validateTileCounterParams(p);
    const V = p.lanes;
    const db = p.dimBits;
    const limitBits = p.countBits + THRESHOLD_BITS;
    const columnBits = log2Ceil(p.maxTilesPerRow);

    const colInTile = reg(UInt(db), { name: 'col_in_tile', init: 0 });
    const col = reg(UInt(db), { name: 'col', init: 0 });
    const tileCol = reg(UInt(columnBits), { name: 'tile_col', init: 0 });
    const row = reg(UInt(db), { name: 'row', init: 0 });
    const rowInTile = reg(UInt(db), { name: 'row_in_tile', init: 0 });
    const accumulators = reg(Vec(p.maxTilesPerRow, UInt(p.countBits)), { name: 'acc', init: Array(p.maxTilesPerRow).fill(0) });

    // Where the open tile ends: lanes [0, toBoundary) are in tile A.
    const toBoundary = io.tileCols.sub(colInTile).named('to_boundary');
    const endsA = toBoundary.le(V).named('ends_a');
    const inA = Array.from({ length: V }, (_, j) => toBoundary.gt(j));
    const maskA = cat(...inA.reverse()).named('mask_a');
    const countA = popcount(io.nonZero.and(maskA)).named('count_a');
    const countB = popcount(io.nonZero.and(maskA.not())).named('count_b');

    const rowEnd = endsA.and(col.addFull(toBoundary).eq(io.rowLength.extend(db + 1))).named('row_end');
    const lastRow = row.eq(io.rows.sub(1)).named('last_row');
    const tensorEnd = rowEnd.and(lastRow).named('tensor_end');
    const tileRowEnds = rowInTile.eq(io.tileRows.sub(1)).or(lastRow).named('tile_row_ends');
    const finishA = endsA.and(tileRowEnds).named('finish_a');
    const bInMatrix = endsA.and(tensorEnd.not()).named('b_in_matrix');
    const tileColB = mux(rowEnd, 0, tileCol.add(1)).named('tile_col_b');

    // select() of a single accumulator is that register itself, which cannot be renamed.
    const accA = p.maxTilesPerRow > 1 ? select(accumulators, tileCol).named('acc_a') : accumulators[0]!;
    const tileNonZeros = accA.add(countA.extend(p.countBits)).named('tile_non_zeros');
    io.tileDone.set(io.fire.and(finishA));
    io.tileNonZeros.set(tileNonZeros);
    io.tensorEnd.set(io.fire.and(tensorEnd));
    io.beatNonZeros.set(countA.add(mux(bInMatrix, countB, 0)));

    if (p.withDensity) {
      // limitBase = threshold * tileCols * (rows of the tile row before this one).
      const limitBase = reg(UInt(limitBits), { name: 'limit_base', init: 0 });
      const perRow = io.threshold.mul(io.tileCols).extend(limitBits).named('limit_per_row');
      const limit = limitBase.add(perRow).named('limit');
      io.tileDense.set(cat(tileNonZeros, lit(0, UInt(THRESHOLD_BITS))).ge(limit));
      when(io.fire.and(rowEnd), () => limitBase.set(mux(tileRowEnds, 0, limit)));
    } else {
      io.tileDense.set(0);
    }

    when(io.fire, () => {
      when(endsA.not(), () => {
        colInTile.set(colInTile.add(V));
        col.set(col.add(V));
      }).otherwise(() => {
        const lanesInB = lit(V, UInt(db)).sub(toBoundary);
        colInTile.set(lanesInB);
        tileCol.set(tileColB);
        col.set(mux(rowEnd, lanesInB, col.add(V)));
        when(rowEnd, () => {
          row.set(row.add(1));
          rowInTile.set(mux(tileRowEnds, 0, rowInTile.add(1)));
        });
      });
      accumulators.forEach((acc, j) => {
        const afterA = mux(tileCol.eq(j), mux(finishA, 0, tileNonZeros), acc);
        const intoB = bInMatrix.and(tileColB.eq(j));
        acc.set(afterA.add(mux(intoB, countB.extend(p.countBits), 0)));
      });
      when(tensorEnd, () => {
        colInTile.set(0);
        col.set(0);
        tileCol.set(0);
        row.set(0);
        rowInTile.set(0);
      });
    });
  },
});
