import { describe, expect, it } from 'vitest';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  loadCifar10,
  loadMnist,
  MNIST_MEAN,
  MNIST_STD,
  type Split,
} from '../src/data/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { saveModel } from '../src/io/index.js';
import { loadPretrained, pretrainedDir, pretrainedRecord, type PretrainedName } from '../src/models/index.js';
import { accuracy } from '../src/training/index.js';
import { trackTensors } from './helpers/leaks.js';

// The committed reference weights must reach their target accuracies, on the project's
// default backend, on the full official test sets loaded through the project's loaders.
describe('pretrained reference models', () => {
  const cases: [PretrainedName, number, () => Promise<{ test: Split }>, number[], number[]][] = [
    ['lenet5-mnist', 0.99, () => loadMnist(), MNIST_MEAN, MNIST_STD],
    ['seednet-0.25-cifar10', 0.86, () => loadCifar10(), CIFAR10_MEAN, CIFAR10_STD],
  ];
  for (const [name, target, load, mean, std] of cases) {
    it(`${name} reaches >= ${target * 100}% test accuracy, as its record says`, async () => {
      const leaks = trackTensors();
      const model = await loadPretrained(name);
      const data = await load();
      const acc = await accuracy(model, data.test, {
        numClasses: 10,
        normalize: 'standard',
        mean,
        std,
        batchSize: 1000,
      });
      expect(data.test.count).toBe(10_000);
      expect(acc).toBeGreaterThanOrEqual(target);
      const record = await pretrainedRecord(name);
      expect(Math.abs(acc - (record.testAccuracy as number))).toBeLessThanOrEqual(0.001);
      model.dispose();
      leaks.check();
    });
  }

  it('refuses unknown names and overwriting the committed weights', async () => {
    const leaks = trackTensors();
    await expect(loadPretrained('resnet-imagenet' as PretrainedName)).rejects.toThrow(InvalidArgumentError);
    const model = await loadPretrained('lenet5-mnist');
    await expect(saveModel(model, pretrainedDir('lenet5-mnist'))).rejects.toThrow(/loaded from/);
    model.dispose();
    leaks.check();
  });
});
