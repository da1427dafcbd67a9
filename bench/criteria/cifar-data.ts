import * as tf from '@tensorflow/tfjs';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  evaluate,
  initBackend,
  loadCifar10,
  resolveLoss,
  stratifiedSubset,
  toTensors,
} from '../../src/index.js';

/**
 * What the criteria benchmarks share: the backend, CIFAR-10 normalised as seedNet was trained,
 * stratified training subsets by seed, the first `testCount` test images and an accuracy on them.
 */
export async function criteriaData(testCount: number) {
  const backend = await initBackend({ announce: false });
  const cifar = await loadCifar10();
  const norm = { normalize: 'standard', mean: CIFAR10_MEAN, std: CIFAR10_STD, numClasses: 10 } as const;
  /** About `count` training images, the same number per class (`round` the per-class count). */
  const trainSubset = (count: number, seed: number, round: (x: number) => number = Math.floor) =>
    toTensors(stratifiedSubset(cifar.train, { perClass: Math.max(1, round(count / 10)), seed }), norm);
  const allTest = toTensors(cifar.test, norm);
  const test = { xs: allTest.xs.slice(0, testCount), ys: allTest.ys.slice(0, testCount) };
  tf.dispose([allTest.xs, allTest.ys]);
  const loss = resolveLoss('categoricalCrossentropy');
  const accuracy = async (m: tf.LayersModel) => (await evaluate(m, test, loss)).accuracy;
  return { backend, cifar, norm, trainSubset, test, loss, accuracy };
}
