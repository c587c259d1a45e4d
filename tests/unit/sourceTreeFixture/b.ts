import type { A } from './a';
export const b = 1;
export type B = A;
