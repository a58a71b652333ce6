/** A compressed buffer that breaks its format's invariants; the message says which and where. */
export class FormatError extends Error {
  constructor(
    readonly format: string,
    detail: string,
  ) {
    super(`malformed ${format} buffer: ${detail}`);
    this.name = 'FormatError';
  }
}

export function assertIntegerArray(
  format: string,
  field: string,
  array: unknown,
  kind: 'Int32Array' | 'Uint32Array' | 'Uint8Array',
): void {
  const ok =
    (kind === 'Int32Array' && array instanceof Int32Array) ||
    (kind === 'Uint32Array' && array instanceof Uint32Array) ||
    (kind === 'Uint8Array' && array instanceof Uint8Array);
  if (!ok) throw new FormatError(format, `field ${field} must be a ${kind}`);
}

export function assertSize(format: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FormatError(format, `field ${field} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
