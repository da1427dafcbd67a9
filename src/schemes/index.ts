export type { Scheme, WeightRef } from './scheme.js';
