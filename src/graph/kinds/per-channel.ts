import type { FlopsContext, LayerKind, PropagateContext } from '../registry.js';
import { elements, evaluatePerChannel, pair, passThrough } from './common.js';

type Flops = (ctx: FlopsContext) => number;

const free: Flops = () => 0;
const perOutput: Flops = ({ outputShape }) => elements(outputShape);
const perWindow: Flops = ({ config, outputShape }) => {
  const [ph, pw] = pair(config.poolSize ?? 2);
  return ph * pw * elements(outputShape);
};
const perInput: Flops = ({ inputShapes }) => elements(inputShapes[0]);

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

export const perChannelKinds: LayerKind[] = [
  {
    ...perChannel('Activation', 'keeps channels (elementwise); softmax pins them', perOutput),
    propagate: (ctx) => (ctx.config.activation === 'softmax' ? pinSoftmax(ctx) : passThrough(ctx)),
  },
  { ...perChannel('Softmax', 'pins channels (normalises over them)', perOutput), propagate: pinSoftmax },
  perChannel('ReLU', 'keeps channels (elementwise)', perOutput),
  perChannel('LeakyReLU', 'keeps channels (elementwise)', perOutput),
  perChannel('ELU', 'keeps channels (elementwise)', perOutput),
  perChannel('ThresholdedReLU', 'keeps channels (elementwise)', perOutput),
  perChannel('MaxPooling2D', 'keeps channels (spatial only)', perWindow),
  perChannel('AveragePooling2D', 'keeps channels (spatial only)', perWindow),
  perChannel('GlobalAveragePooling2D', 'keeps channels (spatial dims reduced)', perInput),
  perChannel('GlobalMaxPooling2D', 'keeps channels (spatial dims reduced)', perInput),
  perChannel('Dropout', 'keeps channels (identity at inference)', free),
  perChannel('GaussianNoise', 'keeps channels (identity at inference)', free),
  perChannel('GaussianDropout', 'keeps channels (identity at inference)', free),
  perChannel('ZeroPadding2D', 'keeps channels (spatial only; a nonzero constant stops being constant)', free),
  perChannel('Cropping2D', 'keeps channels (spatial only)', free),
  perChannel('UpSampling2D', 'keeps channels (spatial only)', free),
];
