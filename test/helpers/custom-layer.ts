import * as tf from '@tensorflow/tfjs';

/**
 * A custom layer no registry entry knows: multiplies its input by a learned per-channel scale.
 * Registered with tfjs serialization so models holding it save and load.
 */
export class ChannelScale extends tf.layers.Layer {
  static className = 'ChannelScale';
  private scale!: tf.LayerVariable;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    this.scale = this.addWeight('scale', [channels], 'float32', tf.initializers.randomUniform({ seed: 3 }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, this.scale.read()));
  }

  override getClassName(): string {
    return 'ChannelScale';
  }
}
tf.serialization.registerClass(ChannelScale);

/** A ChannelScale layer. */
export const channelScale = (name: string): ChannelScale => new ChannelScale({ name });
