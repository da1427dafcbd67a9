// The zoo: small models following published architectures, built with the tfjs layers API.
import * as tf from '@tensorflow/tfjs';
import { efficientnet, inception } from './efficientnet.js';
import { mobilenetV1, mobilenetV2 } from './mobilenet.js';
import { nasnet, xception } from './nasnet.js';
import { densenet, resnetBottleneck, siamese } from './resnet.js';
import { audioConv1d, bidirectionalText, lstmText, timeDistributed } from './sequences.js';
import { unet } from './unet.js';

export interface ZooModel {
  name: string;
  build: () => tf.LayersModel;
  /** A seeded batch of inputs. */
  input: (batch: number) => tf.Tensor;
}

const images = (shape: number[]) => (batch: number) => tf.randomNormal([batch, ...shape], 0, 1, 'float32', 5);

export const zoo: ZooModel[] = [
  { name: 'MobileNet v1', build: mobilenetV1, input: images([32, 32, 3]) },
  { name: 'MobileNet v2', build: mobilenetV2, input: images([32, 32, 3]) },
  { name: 'ResNet-50-style bottlenecks', build: resnetBottleneck, input: images([32, 32, 3]) },
  { name: 'DenseNet blocks', build: densenet, input: images([32, 32, 3]) },
  {
    name: 'EfficientNet MBConv + SE',
    build: efficientnet,
    input: (n) => tf.tidy(() => images([32, 32, 3])(n).mul(60).add(120)),
  },
  { name: 'Inception branches', build: inception, input: images([32, 32, 3]) },
  { name: 'NASNet cells', build: nasnet, input: images([32, 32, 3]) },
  { name: 'U-Net', build: unet, input: images([16, 16, 1]) },
  { name: 'Siamese shared tower', build: siamese, input: images([16, 16, 3]) },
  { name: 'Xception blocks', build: xception, input: images([32, 32, 3]) },
  { name: 'Conv1D audio', build: audioConv1d, input: images([64, 1]) },
  {
    name: 'LSTM text',
    build: lstmText,
    input: (n) => tf.tidy(() => tf.randomUniform([n, 12], 0, 40, 'int32', 5).cast('float32')),
  },
  { name: 'TimeDistributed', build: timeDistributed, input: images([8, 10]) },
  {
    name: 'Bidirectional LSTM/GRU text',
    build: bidirectionalText,
    input: (n) => tf.tidy(() => tf.randomUniform([n, 10], 0, 30, 'int32', 5).cast('float32')),
  },
];
