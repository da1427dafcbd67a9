export { seedNet, type SeedNetOptions } from './seed-net.js';
export { lenet5, type LeNet5Options } from './lenet5.js';
export { vggNet, type VggNetOptions } from './vgg.js';
export { resnet20, type ResNet20Options } from './resnet20.js';
export { type ImageShape } from './init.js';
export { createModel, modelNames, MODELS, type ModelEntry, type ModelOptions } from './registry.js';
export {
  loadPretrained,
  pretrainedDir,
  pretrainedRecord,
  PRETRAINED,
  type PretrainedName,
} from './pretrained.js';
