import { b } from './b';
export const a = b;
export type A = number;
