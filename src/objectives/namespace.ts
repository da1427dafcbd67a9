import { defineObjective } from './objective.js';
import { flops, modelBytes, params } from './size.js';
import { latency, throughput } from './speed.js';

/** The objectives under one name, as the seed's listing writes them: `objectives.throughput()`. */
export const objectives = { throughput, latency, flops, params, modelBytes, custom: defineObjective };
