import type { Calibration } from '../importance/index.js';
import { Compose } from './compose.js';
import type { Scheme } from './scheme.js';

/** A scheme whose importance may need calibration data. */
interface Calibratable extends Scheme {
  needsCalibration(): boolean;
  withCalibration(data: Calibration, examples?: number): Scheme;
}

function isCalibratable(s: Scheme): s is Calibratable {
  const c = s as Partial<Calibratable>;
  return typeof c.needsCalibration === 'function' && typeof c.withCalibration === 'function';
}

/**
 * `scheme` with calibration data when its importance needs some and it has none (the Compressor
 * gives the first `examples` training examples this way), members of a `Compose` included; any
 * other scheme unchanged.
 *
 * @example
 * ```ts
 * const scheme = calibrate(new FilterPrune({ density: 0.5, importance: 'taylor' }), trainData, 512);
 * ```
 */
export function calibrate(scheme: Scheme, data: Calibration, examples = 512): Scheme {
  if (scheme instanceof Compose) {
    const members = scheme.schemes.map((s) => calibrate(s, data, examples));
    return members.every((m, i) => m === scheme.schemes[i]) ? scheme : new Compose(members);
  }
  return isCalibratable(scheme) && scheme.needsCalibration()
    ? scheme.withCalibration(data, examples)
    : scheme;
}
