export { trainClassifier, type TrainOptions, type TrainRecord, type TrainOptimizerKind } from './train.js';
export { runTraining, type TrainRunOptions, type TrainRunResult } from './run.js';
export { accuracy, type EvaluateOptions } from './evaluate.js';
export {
  learningRateSchedule,
  LearningRateScheduler,
  setLearningRate,
  type ScheduleKind,
  type ScheduleOptions,
} from './schedule.js';
export { progressPrinter, TrainProgressCallback, type TrainProgress } from './progress.js';
export { TRAINING_DATASETS, datasetRecipe, type DatasetRecipe } from './datasets.js';
export { penalty, type RegularizerSpec } from './regularizer.js';
