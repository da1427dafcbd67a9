import type * as tf from '@tensorflow/tfjs';
import type { FlopsContext, LayerKind, PropagateContext } from './kind.js';
import { elements, evaluatePerChannel, passThrough, take } from './common.js';

type Flops = (ctx: FlopsContext) => number;

const free: Flops = () => 0;
const perOutput: Flops = ({ outputShape }) => elements(outputShape);

/**
 * A layer that works on each channel on its own and keeps the channel count: its output carries
 * its input's channel set, and constants pass through it by evaluation (see evaluatePerChannel).
 */
function perChannel(className: string, summary: string, flops: Flops): LayerKind {
  return {
    className,
    summary,
    propagate: passThrough,
    constants: evaluatePerChannel,
    flops,
  };
}

/** Softmax over the channel axis couples all channels: none of them can be removed. */
function pinSoftmax(ctx: PropagateContext): ReturnType<typeof passThrough> {
  const why = `'${ctx.layer.name}' applies softmax over the channels`;
  for (const seg of ctx.inputs[0].segments) ctx.spaces.pin(seg.space, { reason: why });
  return passThrough(ctx);
}

const elementwise = 'keeps channels (elementwise)';
const identity = 'keeps channels (identity at inference)';
const spatial = 'keeps channels (spatial only)';

export const perChannelKinds: LayerKind[] = [
  {
    ...perChannel('Activation', 'keeps channels (elementwise); softmax pins them', perOutput),
    propagate: (ctx) => (ctx.config.activation === 'softmax' ? pinSoftmax(ctx) : passThrough(ctx)),
  },
  { ...perChannel('Softmax', 'pins channels (normalises over them)', perOutput), propagate: pinSoftmax },
  perChannel('ReLU', elementwise, perOutput),
  perChannel('LeakyReLU', elementwise, perOutput),
  perChannel('ELU', elementwise, perOutput),
  perChannel('ThresholdedReLU', elementwise, perOutput),
  // A scale and a shift per element.
  perChannel('Rescaling', elementwise, (ctx) => 2 * perOutput(ctx)),
  {
    // alpha has the input's shape (minus the batch axis, shared axes of size 1): its last axis is
    // the channel axis unless shared.
    ...perChannel('PReLU', 'keeps channels (elementwise; alpha sliced on its last axis)', perOutput),
    slice(ctx) {
      const alpha = ctx.weights.get('alpha')!;
      const last = alpha.rank - 1;
      const shared = alpha.shape[last] === 1;
      return { alpha: shared ? alpha.clone() : take(alpha, ctx.keptOut, last) } as Record<string, tf.Tensor>;
    },
  },
  ...['Dropout', 'SpatialDropout1D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise'].map((c) =>
    perChannel(c, identity, free),
  ),
  perChannel('ZeroPadding2D', `${spatial}; a nonzero constant stops being constant`, free),
  perChannel('Cropping2D', spatial, free),
  perChannel('CenterCrop', spatial, free),
  perChannel('UpSampling2D', spatial, free),
];
