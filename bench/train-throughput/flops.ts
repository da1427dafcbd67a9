/**
 * FLOP count used by the throughput benchmark: forward multiply-accumulates of the conv and
 * dense layers times 2 (batch norm, pooling, activations and the softmax are not counted), and
 * a training step as 3x forward (forward, input gradient, weight gradient).
 */
import type * as tf from '@tensorflow/tfjs';

export function forwardFlopsPerImage(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const out = layer.outputShape as number[];
    const kernel = layer.getWeights()[0];
    if (cls === 'Conv2D' && kernel) {
      // kernel [kh, kw, ci, co]: every output pixel and channel costs kh*kw*ci MACs.
      macs += (out[1] ?? 0) * (out[2] ?? 0) * kernel.size;
    } else if (cls === 'Dense' && kernel) {
      macs += kernel.size;
    }
  }
  return 2 * macs;
}

export const TRAINING_FLOPS_FACTOR = 3;
