// The training primitives live in src/training (one loop for `condensa train`, recovery and
// the search); they are re-exported here because recovery code and its users import them with
// the optimizers.
export * from '../training/schedules.js';
export { resolveLoss } from '../training/loss.js';
export type { LossFunction, LossName, LossSpec } from '../training/loss.js';
export { BatchStream, forEachBatch, exampleCount } from '../training/batch-stream.js';
export type { Batch, Data, StreamState } from '../training/batch-stream.js';
export { evaluate } from '../training/evaluate.js';
export type { Evaluation } from '../training/evaluate.js';
export { GradientOptimizer } from '../training/gradient-optimizer.js';
export type { GradientOptimizerOptions, OptimizerKind } from '../training/gradient-optimizer.js';
export { trainIterations, trainableVariables } from '../training/loop.js';
export type { TrainLoopOptions, Regularizer } from '../training/loop.js';
export { DivergenceError, RunAborted } from '../training/signals.js';
export { distillationLoss, distillationSettings } from '../training/distillation.js';
export type { DistillationOptions, TeacherLoss } from '../training/distillation.js';
export { reestimateBatchNorm } from './batchnorm.js';
export type { BatchNormReestimateOptions } from './batchnorm.js';
export { cloneModel, disposeModel, takeSnapshot, restoreSnapshot, disposeSnapshot } from './snapshot.js';
export type { ModelSnapshot } from './snapshot.js';
export { Run } from './run.js';
export type { RunConfig, RunEvent, StepStats, RunCapture } from './run.js';
export type { RecoveryOptimizer } from './recovery-optimizer.js';
export type { TrainingOptions } from './training-options.js';
export { LC } from './lc.js';
export type { LCOptions } from './lc.js';
export { DirectCompression } from './direct-compression.js';
export { FineTune } from './fine-tune.js';
export type { FineTuneOptions } from './fine-tune.js';
export { IterativePruning } from './iterative-pruning.js';
export type { IterativePruningOptions } from './iterative-pruning.js';
export { GradualPruning, polynomialSparsity } from './gradual-pruning.js';
export type { GradualPruningOptions, PolynomialSchedule } from './gradual-pruning.js';
export { hasWithDensity, schemeAtDensity } from './density-schemes.js';
export type { DensityScheme } from './density-schemes.js';
