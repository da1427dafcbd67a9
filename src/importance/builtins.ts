import { activation } from './activation.js';
import { apoz } from './apoz.js';
import { bnScale } from './bn-scale.js';
import { fpgm } from './fpgm.js';
import { l1, l2, lamp } from './magnitude.js';
import { random } from './random.js';
import { registerImportance } from './registry.js';
import { taylor } from './taylor.js';
import { tvs } from './tvs.js';

// Registered once, when the module is first imported (ES modules evaluate once).
registerImportance('l1', l1);
registerImportance('l2', l2);
registerImportance('random', random);
registerImportance('bnScale', bnScale);
registerImportance('activation', activation);
registerImportance('apoz', apoz);
registerImportance('taylor', taylor);
registerImportance('fpgm', fpgm);
registerImportance('tvs', tvs);
registerImportance('lamp', lamp);

/** The built-in criteria names. */
export const BUILTIN_IMPORTANCE = [
  'l1',
  'l2',
  'random',
  'bnScale',
  'activation',
  'apoz',
  'taylor',
  'fpgm',
  'tvs',
  'lamp',
] as const;
