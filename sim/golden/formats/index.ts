export * from './format-error.ts';
export * from './dense.ts';
export * from './bitmap.ts';
export * from './zvc.ts';
export * from './csr.ts';
export * from './coo.ts';
export * from './scnn-rle.ts';
