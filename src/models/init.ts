import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/**
 * Hands out seeded weight initialisers, one fresh seed per layer, so a model built twice with the
 * same seed gets identical weights while its layers still differ from one another (a single
 * shared seed would give every same-shaped layer the same values).
 */
export class SeededInit {
  private next: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new InvalidArgumentError(`seed must be an integer, got ${seed}`);
    this.next = seed * 1000;
  }

  /** Glorot (Xavier) uniform: the Keras default, for dense layers and ReLU-less nets. */
  glorot(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.next++ });
  }

  /** He normal: keeps activation variance through ReLU stacks (VGG, ResNet convolutions). */
  he(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.heNormal({ seed: this.next++ });
  }
}

/** Scale a hidden width, keeping at least one unit; throws on a non-positive width. */
export function scaleWidth(units: number, width: number): number {
  return Math.max(1, Math.round(units * width));
}

/** Check a `width` option: a finite number > 0. */
export function checkWidth(width: number): number {
  if (!(Number.isFinite(width) && width > 0)) {
    throw new InvalidArgumentError(
      `width must be a finite number > 0 (1 = the reference size), got ${width}`,
    );
  }
  return width;
}

/** Input shape of an image model, [height, width, channels]. */
export type ImageShape = [number, number, number];

/** Check an `inputShape` option: three positive integers. */
export function checkInputShape(shape: ImageShape): ImageShape {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(
      `inputShape must be [height, width, channels] of positive integers, got [${shape}]`,
    );
  }
  return shape;
}
