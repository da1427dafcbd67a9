import * as tf from '@tensorflow/tfjs';
import type { DependencyGraph } from './dependency-graph.js';
import { allVarying } from '../core/layer-kinds/common.js';
import type { ConstField } from '../core/layer-kinds/index.js';

/**
 * Which entries of every tensor are constant (independent of the model input), and their values.
 * A pruned filter (zero kernel slice) outputs activation(bias); BN, pooling, ReLU... keep it
 * constant; the next Conv2D/Dense is where the constant is folded into a bias on compaction.
 */
export function constantFields(graph: DependencyGraph): Map<number, ConstField> {
  const fields = new Map<number, ConstField>();
  // Model inputs, and the further outputs of a layer with several (pinned; nothing known constant).
  const severalOutputs = new Set<unknown>();
  for (const t of graph.tensors) {
    if (t.producer && t.producer.output !== t) severalOutputs.add(t.producer);
    if (!t.producer || t.producer.output !== t)
      fields.set(t.id, allVarying(Number(t.shape[t.shape.length - 1])));
  }
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((t) => fields.get(t.id)!);
    const size = Number(node.output.shape[node.output.shape.length - 1]);
    let field = allVarying(size);
    if (node.kind && !severalOutputs.has(node)) {
      const kind = node.kind;
      tf.tidy(() => {
        field = kind.constants({
          layer: node.layer,
          config: node.config,
          inputs,
          inputShapes: node.inputs.map((t) => t.shape),
          outputShape: node.output.shape,
        });
      });
    }
    fields.set(node.output.id, field);
  }
  return fields;
}
