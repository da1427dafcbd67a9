/**
 * Register, for the wasm backend, the training kernels it lacks or gets wrong. Each kernel
 * lives in its own file beside this one, whose header says what was measured wrong or slow.
 * Idempotent; call before `tf.setBackend('wasm')` so replaced kernels keep their setup.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul } from './batch-mat-mul.js';
import { registerWasmKernel } from './compose.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilter } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInput } from './depthwise-backprop-input.js';
import { fusedBatchNorm } from './fused-batch-norm.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { mean, sum } from './reduce-leading.js';
import { cast, identity } from './share-data.js';
import { tile } from './tile.js';

/** Kernel name -> composed implementation. */
const KERNELS: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as unknown as tf.KernelFunc,
  MaxPoolGrad: maxPoolGrad as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
  BatchMatMul: batchMatMul as unknown as tf.KernelFunc,
  Tile: tile as unknown as tf.KernelFunc,
  Sum: sum as unknown as tf.KernelFunc,
  Mean: mean as unknown as tf.KernelFunc,
  FusedBatchNorm: fusedBatchNorm as unknown as tf.KernelFunc,
  Identity: identity as unknown as tf.KernelFunc,
  Cast: cast as unknown as tf.KernelFunc,
};

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  for (const [name, kernelFunc] of Object.entries(KERNELS)) registerWasmKernel(name, kernelFunc);
}

/** Names of the kernels this module registers for wasm (for tests and reports). */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.keys(KERNELS);
