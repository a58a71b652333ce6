import type { PeTopParams } from '../../hw/scnn/pe-top.ts';

/**
 * The one parameter set the tests and `make sim` build (a Verilator build is
 * tens of seconds): default F, I, A and widths, small buffers, fill at half
 * the broadcast width so the fill engine re-interleaves.
 */
export const TEST_PE_TOP: PeTopParams = {
  pe: {
    F: 4,
    I: 4,
    valueWidth: 16,
    accWidth: 32,
    banks: 32,
    bankDepth: 64,
    accumulatorSets: 1,
    bankMapping: 'xor',
    coordBits: 6,
    stationaryDepth: 512,
    broadcastDepth: 512,
    pointerDepth: 4096,
    pointerLanes: 2,
    segmentDepth: 16,
    anticipation: 'element',
  },
  fillWidth: 2,
};
