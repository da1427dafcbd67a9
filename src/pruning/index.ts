export * from './state.js';
export { prune } from './prune.js';
export type { Amount } from './amount.js';
export type { Dim } from './dims.js';
export type { PruningMethod, MaskInput, NormOrder } from './methods.js';
export type { GlobalMethod, GlobalOptions, CustomMethod, CustomMethodDefinition } from './torch.js';
