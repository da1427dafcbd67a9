import type { FlopsContext, LayerKind } from './kind.js';
import { elements, evaluatePerChannel, passThrough } from './common.js';

/** Elements in one pooling window: poolSize may be a number (same on every spatial axis) or a list. */
function windowSize(poolSize: unknown, spatialDims: number): number {
  if (Array.isArray(poolSize)) return poolSize.reduce((a: number, b) => a * Number(b), 1);
  return Number(poolSize ?? 2) ** spatialDims;
}

/** One operation per window element per output. */
const perWindow = ({ config, outputShape }: FlopsContext): number =>
  windowSize(config.poolSize, outputShape.length - 2) * elements(outputShape);

/** Global pooling reads every input element once. */
const perInput = ({ inputShapes }: FlopsContext): number => elements(inputShapes[0]);

function pooling(className: string, global: boolean): LayerKind {
  return {
    className,
    summary: global ? 'keeps channels (spatial dims reduced)' : 'keeps channels (spatial only)',
    propagate: passThrough,
    constants: evaluatePerChannel,
    flops: global ? perInput : perWindow,
  };
}

/** Pooling acts on each channel on its own: channels pass through. */
export const poolingKinds: LayerKind[] = [
  ...['MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D'].map((c) => pooling(c, false)),
  ...['AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D'].map((c) => pooling(c, false)),
  ...['GlobalAveragePooling1D', 'GlobalAveragePooling2D'].map((c) => pooling(c, true)),
  ...['GlobalMaxPooling1D', 'GlobalMaxPooling2D'].map((c) => pooling(c, true)),
];
