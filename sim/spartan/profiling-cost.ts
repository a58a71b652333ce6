/**
 * The cost of profiling activation sparsity, with the sparsity monitor and
 * with the software pass it replaces, for one conv layer's output tensor.
 *
 * Both sides move data at the same bandwidth: V elements (or one record) per
 * cycle. What each side pays, in cycles:
 *
 *   monitor  : 0 on the activation stream (it watches the write-back), then
 *              the readout of its R records (tiles + channels + 1 total) on
 *              its own port, plus 1 cycle of memory read latency.
 *   software : a read pass over the tensor, ceil(E / V) cycles, counting
 *              non-zeros in V per-lane counters as the data arrives (zero
 *              test, popcount and add keep up with the read); then, for each
 *              of the R results, a log2(V)-level tree reducing the V lane
 *              counters, one level per cycle; then writing the R results,
 *              one per cycle.
 *
 * No kernel launch, synchronisation or memory-latency cost is charged to the
 * software pass, so the ratio is a lower bound for a real GPU or CPU kernel.
 */
import type { MonitorConfig } from '../golden/spartan/sparsity-monitor.ts';
import { tileCount } from '../golden/spartan/sparsity-monitor.ts';
import { layerOutputSize, type NetworkTable } from '../workloads/layer-table.ts';

/** The output activations of one conv layer (one sample). */
export interface LayerActivation {
  readonly layer: string;
  readonly channels: number;
  /** Side of the square output feature map. */
  readonly size: number;
}

export function convOutputs(table: NetworkTable): LayerActivation[] {
  return table.layers.filter((l) => l.kind === 'conv').map((l) => ({ layer: l.name, channels: l.outChannels, size: layerOutputSize(l) }));
}

/**
 * The monitor's view of a CHW output tensor: one matrix row per channel
 * plane, tiles of `tileChannels` channels x the whole plane, per-channel
 * (planar) totals.
 */
export function layerMonitorConfig(a: LayerActivation, lanes: number, tileChannels: number, threshold: number): MonitorConfig {
  const plane = a.size * a.size;
  return {
    lanes,
    rowLength: plane,
    tileCols: plane,
    tileRows: tileChannels,
    rows: a.channels,
    threshold,
    channelLayout: 'planar',
    channels: a.channels,
    planeSize: plane,
  };
}

export interface ProfilingCost {
  readonly elements: number;
  /** Beats of the activation stream. */
  readonly beats: number;
  /** Results: tiles + channel totals + the tensor total. */
  readonly records: number;
  /** Extra cycles the monitor adds to the activation stream (from simulation). */
  readonly monitorStreamCycles: number;
  readonly monitorReadoutCycles: number;
  readonly softwareReadCycles: number;
  readonly softwareReduceCycles: number;
  readonly softwareWriteCycles: number;
  readonly softwareCycles: number;
  /** softwareCycles / (monitor's stream + readout cycles). */
  readonly ratio: number;
}

/** Read-back latency of the monitor's result memory, in cycles. */
export const MONITOR_READOUT_LATENCY = 1;

export function profilingCost(cfg: MonitorConfig, monitorStreamCycles: number): ProfilingCost {
  const elements = cfg.rows * cfg.rowLength;
  const beats = Math.ceil(elements / cfg.lanes);
  const records = tileCount(cfg) + (cfg.channels ?? 0) + 1;
  const monitorReadoutCycles = records + MONITOR_READOUT_LATENCY;
  const softwareReadCycles = beats;
  const softwareReduceCycles = records * Math.ceil(Math.log2(cfg.lanes));
  const softwareWriteCycles = records;
  const softwareCycles = softwareReadCycles + softwareReduceCycles + softwareWriteCycles;
  return {
    elements,
    beats,
    records,
    monitorStreamCycles,
    monitorReadoutCycles,
    softwareReadCycles,
    softwareReduceCycles,
    softwareWriteCycles,
    softwareCycles,
    ratio: softwareCycles / (monitorStreamCycles + monitorReadoutCycles),
  };
}

export const PROFILING_MODEL_ASSUMPTIONS = [
  'both sides move data at the same bandwidth: V elements or one result record per cycle',
  'monitor: 0 cycles on the activation stream (measured in Verilator), then R = tiles + channels + 1 records read out at one per cycle plus 1 cycle of memory latency',
  'software: one read pass over the tensor (ceil(E/V) cycles) with zero test, popcount and per-lane accumulation keeping up with the read; a log2(V)-cycle tree reduction of the V lane counters for each of the R results; R cycles to write the results',
  'no kernel launch, synchronisation or DRAM latency is charged to the software pass: the ratio is a lower bound for a real kernel',
  'the tensors are one sample\'s conv-layer outputs (ImageNet shapes); fully-connected layers are left out',
];
