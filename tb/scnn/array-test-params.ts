import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';

/**
 * The one array parameter set the tests and `make sim` build (a Verilator
 * build of an array is minutes on two cores): a 3 x 3 array, so schedules for
 * 1 x 1 up to 3 x 3 PEs all run on it (PEs outside a schedule get no work),
 * with small buffers so units, window groups and broadcast pieces split, and
 * fill at half the broadcast width so the fill bus re-interleaves.
 */
export const TEST_ARRAY_TOP: ArrayTopParams = {
  pe: {
    F: 4,
    I: 4,
    valueWidth: 16,
    accWidth: 32,
    banks: 16,
    bankDepth: 16,
    accumulatorSets: 2,
    bankMapping: 'xor',
    coordBits: 6,
    stationaryDepth: 256,
    broadcastDepth: 64,
    pointerDepth: 512,
    pointerLanes: 4,
    segmentDepth: 64,
    anticipation: 'element',
  },
  px: 3,
  py: 3,
  fillWidth: 2,
  globalBroadcastDepth: 2048,
  globalPointerDepth: 4096,
  unitDepth: 64,
  sliceDepth: 2048,
  mergeListDepth: 2048,
  mergePhaseDepth: 64,
};
