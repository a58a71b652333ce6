import { Bool, Bundle, cat, defineEnum, defineModule, Flip, HwError, Input, instance, log2Ceil, mem, mux, Output, reg, SInt, stateMachine, UInt, Vec, when, type Signal } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';
import { InterleavedChannelCounter } from './interleaved-channel-counter.ts';
import { THRESHOLD_BITS, TileCounter } from './tile-counter.ts';

/**
 * How channels sit in the stream: `planar` is CHW (a channel is a run of
 * planeSize elements), `interleaved` is HWC (lane j of every beat holds a
 * channel congruent to j modulo V).
 */
export type ChannelLayout = 'none' | 'planar' | 'interleaved';

export interface SparsityMonitorParams {
  lanes: number;
  elementWidth: number;
  /** Bits of the geometry inputs and of record indices. */
  dimBits: number;
  /** Bits of every non-zero count, the whole-tensor total included. */
  countBits: number;
  /** Tile columns per matrix row (rowLength / tileCols at most). */
  maxTilesPerRow: number;
  /** Tiles per tensor the result memory holds (a power of two). */
  maxTiles: number;
  channelLayout: ChannelLayout;
  /** Channels per tensor the channel memory holds (a power of two). */
  maxChannels: number;
}

export const DEFAULT_SPARSITY_MONITOR: SparsityMonitorParams = {
  lanes: 16,
  elementWidth: 16,
  dimBits: 16,
  countBits: 24,
  maxTilesPerRow: 8,
  maxTiles: 256,
  channelLayout: 'planar',
  maxChannels: 512,
};

/** Kinds of readout records, in the order they leave after each tensor. */
export const MonitorRecord = defineEnum('MonitorRecord', ['Tile', 'Channel', 'Total']);
const ReadoutState = defineEnum('ReadoutState', ['Idle', 'Tiles', 'Channels', 'Total']);

export function validateSparsityMonitorParams(p: SparsityMonitorParams): void {
  const pow2 = (x: number) => Number.isInteger(x) && x >= 2 && (x & (x - 1)) === 0;
  if (!Number.isInteger(p.lanes) || p.lanes < 1) throw new HwError(`SparsityMonitor: lanes must be a positive integer, got ${p.lanes}`);
  if (!Number.isInteger(p.elementWidth) || p.elementWidth < 2) throw new HwError(`SparsityMonitor: elementWidth must be at least 2, got ${p.elementWidth}`);
  if (!pow2(p.maxTiles) || p.maxTiles > 2 ** p.dimBits) throw new HwError(`SparsityMonitor: maxTiles must be a power of two within 2^dimBits, got ${p.maxTiles}`);
  if (p.channelLayout !== 'none' && (!pow2(p.maxChannels) || p.maxChannels >= 2 ** p.dimBits)) {
    throw new HwError(`SparsityMonitor: maxChannels must be a power of two below 2^dimBits, got ${p.maxChannels}`);
  }
  if (!['none', 'planar', 'interleaved'].includes(p.channelLayout)) throw new HwError(`SparsityMonitor: unknown channelLayout '${p.channelLayout}'`);
}

function monitorIO(p: SparsityMonitorParams) {
  validateSparsityMonitorParams(p);
  const dim = () => Input(UInt(p.dimBits));
  return {
    cfg: {
      /** L: elements per row of the matrix view of the stream. */
      rowLength: dim(),
      /** Tile width in elements: >= V, and rowLength a multiple of it. */
      tileCols: dim(),
      /** Tile height in rows. */
      tileRows: dim(),
      /** M: rows per tensor. */
      rows: dim(),
      /** A tile is dense iff 256 * nonZeros >= threshold * elements. */
      threshold: Input(UInt(THRESHOLD_BITS)),
      ...(p.channelLayout === 'none' ? {} : { channels: dim() }),
      ...(p.channelLayout === 'planar' ? { planeSize: dim() } : {}),
    },
    in: Flip(Decoupled(Vec(p.lanes, SInt(p.elementWidth)))),
    out: Decoupled(Vec(p.lanes, SInt(p.elementWidth))),
    result: Decoupled(
      Bundle({
        kind: UInt(MonitorRecord.type.width),
        index: UInt(p.dimBits),
        nonZeros: UInt(p.countBits),
        dense: Bool(),
        last: Bool(),
      }),
    ),
    /** Sticky: a tensor ended while the previous one's results were still being read; its results were dropped. */
    overrun: Output(Bool()),
  };
}

/**
 * Spartan's sparsity monitor [paper], our microarchitecture: it watches the
 * stream of activations being written back and never stalls it (in.ready is
 * out.ready, the data passes through on wires). Per beat: zero detect on the
 * V lanes, then
 *   - a TileCounter: non-zeros per tile of the stream's matrix view, with a
 *     dense/sparse flag, written to a two-bank tile result memory;
 *   - the whole-tensor total;
 *   - per-channel totals, planar (a second TileCounter with one plane per
 *     tile) or interleaved (a read-modify-write counter memory).
 * When a tensor's last beat passes, its bank is frozen and read out on
 * `result` (tiles, then channels, then the total, marked `last`) while the
 * next tensor counts into the other bank.
 */
export const SparsityMonitor = defineModule({
  name: (p: SparsityMonitorParams) =>
    `SparsityMonitor_v${p.lanes}_e${p.elementWidth}_d${p.dimBits}_c${p.countBits}_t${p.maxTilesPerRow}x${p.maxTiles}_${p.channelLayout}${p.channelLayout === 'none' ? '' : p.maxChannels}`,
  io: monitorIO,
  body: (io, p) => {
    const cfg = io.cfg as typeof io.cfg & { channels?: Signal; planeSize?: Signal };
    const V = p.lanes;
    const cw = p.countBits;

    // ---- pass-through: no register, no stall
    io.out.valid.set(io.in.valid);
    io.in.ready.set(io.out.ready);
    io.in.bits.forEach((v, j) => io.out.bits[j]!.set(v));
    const fire = io.in.valid.and(io.out.ready).named('fire');
    const nonZero = cat(...io.in.bits.map((v) => v.ne(0)).reverse()).named('non_zero');

    // ---- tiles
    const tiles = instance(TileCounter, { lanes: V, dimBits: p.dimBits, countBits: cw, maxTilesPerRow: p.maxTilesPerRow, withDensity: true }, { name: 'tiles' });
    tiles.io.fire.set(fire);
    tiles.io.nonZero.set(nonZero);
    tiles.io.rowLength.set(cfg.rowLength);
    tiles.io.tileCols.set(cfg.tileCols);
    tiles.io.tileRows.set(cfg.tileRows);
    tiles.io.rows.set(cfg.rows);
    tiles.io.threshold.set(cfg.threshold);
    const tensorEnd = tiles.io.tensorEnd;

    const writeBank = reg(Bool(), { name: 'write_bank', init: 0 });
    const readBank = reg(Bool(), { name: 'read_bank', init: 0 });
    const tileAddrBits = log2Ceil(p.maxTiles);
    const tileStore = mem(UInt(cw + 1), 2 * p.maxTiles, { name: 'tile_results' });
    const tileIndex = reg(UInt(p.dimBits), { name: 'tile_index', init: 0 });
    when(tiles.io.tileDone, () => {
      tileStore.write(cat(writeBank, tileIndex.trunc(tileAddrBits)), cat(tiles.io.tileDense, tiles.io.tileNonZeros));
      tileIndex.set(mux(tensorEnd, 0, tileIndex.add(1)));
    });

    // ---- whole-tensor total
    const total = reg(UInt(cw), { name: 'total', init: 0 });
    const tensorTotal = total.add(tiles.io.beatNonZeros.extend(cw)).named('tensor_total');
    when(fire, () => total.set(mux(tensorEnd, 0, tensorTotal)));

    // ---- readout state
    const fsm = stateMachine(ReadoutState, { init: 'Idle', name: 'readout' });
    const nextIndex = reg(UInt(p.dimBits), { name: 'next_index', init: 0 });
    const readTiles = reg(UInt(p.dimBits), { name: 'read_tiles', init: 0 });
    const readTotal = reg(UInt(cw), { name: 'read_total', init: 0 });
    const recordValid = reg(Bool(), { name: 'record_valid', init: 0 });
    const recordKind = reg(MonitorRecord.type, { name: 'record_kind', init: MonitorRecord.lit('Total') });
    const recordIndex = reg(UInt(p.dimBits), { name: 'record_index', init: 0 });
    const overrun = reg(Bool(), { name: 'overrun_q', init: 0 });
    const advance = recordValid.not().or(io.result.ready).named('advance');
    const issueTile = advance.and(fsm.is('Tiles')).named('issue_tile');
    const issueChannel = advance.and(fsm.is('Channels')).named('issue_channel');
    const tileRead = tileStore.read(cat(readBank, nextIndex.trunc(tileAddrBits)), issueTile);

    // ---- channels
    let channelRead: Signal | undefined;
    if (p.channelLayout === 'planar') {
      const planes = instance(TileCounter, { lanes: V, dimBits: p.dimBits, countBits: cw, maxTilesPerRow: 1, withDensity: false }, { name: 'planes' });
      planes.io.fire.set(fire);
      planes.io.nonZero.set(nonZero);
      planes.io.rowLength.set(cfg.planeSize!);
      planes.io.tileCols.set(cfg.planeSize!);
      planes.io.tileRows.set(1);
      planes.io.rows.set(cfg.channels!);
      planes.io.threshold.set(0);
      const channelAddrBits = log2Ceil(p.maxChannels);
      const channelStore = mem(UInt(cw), 2 * p.maxChannels, { name: 'channel_results' });
      const channelIndex = reg(UInt(p.dimBits), { name: 'channel_index', init: 0 });
      when(planes.io.tileDone, () => {
        channelStore.write(cat(writeBank, channelIndex.trunc(channelAddrBits)), planes.io.tileNonZeros);
        channelIndex.set(channelIndex.add(1));
      });
      when(tensorEnd, () => channelIndex.set(0));
      channelRead = channelStore.read(cat(readBank, nextIndex.trunc(channelAddrBits)), issueChannel);
    } else if (p.channelLayout === 'interleaved') {
      const counter = instance(InterleavedChannelCounter, { lanes: V, dimBits: p.dimBits, countBits: cw, maxChannels: p.maxChannels }, { name: 'channel_counter' });
      counter.io.fire.set(fire);
      counter.io.nonZero.set(nonZero);
      counter.io.tensorEnd.set(tensorEnd);
      counter.io.channels.set(cfg.channels!);
      counter.io.bank.set(writeBank);
      counter.io.readEnable.set(issueChannel);
      counter.io.readBank.set(readBank);
      counter.io.readChannel.set(nextIndex);
      channelRead = counter.io.readCount;
    }
    const hasChannels = channelRead !== undefined;

    // ---- readout: one record per cycle while `result` is ready
    const issue = (kind: 'Tile' | 'Channel', count: Signal, after: 'Channels' | 'Total') => {
      recordValid.set(1);
      recordKind.set(MonitorRecord.lit(kind));
      recordIndex.set(nextIndex);
      when(nextIndex.add(1).eq(count), () => {
        nextIndex.set(0);
        fsm.goto(after);
      }).otherwise(() => nextIndex.set(nextIndex.add(1)));
    };
    when(advance, () => {
      fsm.switch({
        Idle: () => recordValid.set(0),
        Tiles: () => issue('Tile', readTiles, hasChannels ? 'Channels' : 'Total'),
        Channels: () => (hasChannels ? issue('Channel', cfg.channels!, 'Total') : fsm.goto('Total')),
        Total: () => {
          recordValid.set(1);
          recordKind.set(MonitorRecord.lit('Total'));
          recordIndex.set(0);
          fsm.goto('Idle');
        },
      });
    });
    when(tensorEnd, () => {
      writeBank.set(writeBank.not());
      when(fsm.is('Idle'), () => {
        readBank.set(writeBank);
        readTiles.set(tileIndex.add(1));
        readTotal.set(tensorTotal);
        nextIndex.set(0);
        fsm.goto('Tiles');
      }).otherwise(() => overrun.set(1));
    });

    const isKind = (k: 'Tile' | 'Channel' | 'Total') => recordKind.eq(MonitorRecord.lit(k));
    const tileCount = tileRead.bits(cw - 1, 0);
    io.result.valid.set(recordValid);
    io.result.bits.kind.set(recordKind);
    io.result.bits.index.set(recordIndex);
    io.result.bits.nonZeros.set(mux(isKind('Tile'), tileCount, channelRead ? mux(isKind('Channel'), channelRead, readTotal) : readTotal));
    io.result.bits.dense.set(isKind('Tile').and(tileRead.bit(cw)));
    io.result.bits.last.set(isKind('Total'));
    io.overrun.set(overrun);
  },
});
