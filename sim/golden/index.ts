/** Public surface of the golden models, for the RTL testbenches. */
export * from './fixed-point.ts';
export * from './dense-array.ts';
export * from './random.ts';
export * from './conv-shape.ts';
export * from './conv-direct.ts';
export * from './conv-outer-product.ts';
export * from './gemm.ts';
export * from './rcp-count.ts';
export * from './overflow-check.ts';
export * from './nonzero-lists.ts';
export * from './formats/index.ts';
