import type { DenseArray } from '../../sim/golden/dense-array.ts';
import { decodeCoo, validateCoo } from '../../sim/golden/formats/coo.ts';
import { encodeCsrChw, validateCsr } from '../../sim/golden/formats/csr.ts';
import { decodeZvc, validateZvc } from '../../sim/golden/formats/zvc.ts';
import {
  compactTensors,
  elementsToCoo,
  splitTensors,
  streamsToCsr,
  streamsToZvc,
  type CompactionMode,
  type CompactionShape,
  type CompactionStreams,
} from '../../sim/golden/spartan/compaction-engine.ts';
import { check } from '../testbench.ts';

function firstDifference(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  return -1;
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The RTL's streams must equal the golden model's vector for vector, and the
 * formats rebuilt from them must pass the formats' validators and decode back
 * to the tensors.
 */
export function checkCompaction(tensors: readonly DenseArray[], got: CompactionStreams, shape: CompactionShape, mode: CompactionMode): void {
  const want = compactTensors(tensors, shape, mode);
  for (const stream of ['elements', 'pointers', 'masks'] as const) {
    const diff = firstDifference(got[stream], want[stream]);
    check(diff < 0, () => `${mode} ${stream} stream: vector ${diff} of ${got[stream].length} (expected ${want[stream].length}) is ${JSON.stringify(got[stream][diff])}, expected ${JSON.stringify(want[stream][diff])}`);
  }
  const elementGroups = splitTensors(got.elements);
  check(elementGroups.length === tensors.length, () => `${elementGroups.length} tensors ended on the element stream, ${tensors.length} were sent`);
  const pointerGroups = mode === 'csr' ? splitTensors(got.pointers) : [];
  const maskGroups = mode === 'zvc' ? splitTensors(got.masks) : [];
  tensors.forEach((tensor, t) => {
    const dims = tensor.dims as [number, number, number];
    const coo = elementsToCoo(elementGroups[t]!, dims);
    validateCoo(coo);
    check(sameArray(decodeCoo(coo).values, tensor.values), () => `tensor ${t}: the COO rebuilt from the element stream does not decode to the tensor`);
    if (mode === 'csr') {
      const csr = streamsToCsr(elementGroups[t]!, pointerGroups[t]!, dims);
      validateCsr(csr);
      const ref = encodeCsrChw(tensor);
      check(sameArray(csr.rowPtr, ref.rowPtr) && sameArray(csr.colIdx, ref.colIdx) && sameArray(csr.values, ref.values), () => `tensor ${t}: the CSR rebuilt from the streams differs from encodeCsrChw`);
    } else {
      const zvc = streamsToZvc(elementGroups[t]!, maskGroups[t]!, tensor.values.length);
      validateZvc(zvc);
      check(sameArray(decodeZvc(zvc), tensor.values), () => `tensor ${t}: the ZVC rebuilt from the streams does not decode to the tensor`);
    }
  });
}
