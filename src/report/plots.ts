import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Plots of the HTML report: Vega-Lite specs compiled to Vega and rendered to SVG here in Node
 * (headless `vega.View`, no canvas, no browser), so the report embeds finished pictures and
 * needs no script or network to open. Vega-Lite is maintained, declarative (a plot is a small
 * JSON spec) and renders server-side to SVG out of the box.
 */

/** One point of a plot: column name -> value. */
export type Row = Record<string, number | string | boolean | null>;

const WIDTH = 460;
const HEIGHT = 240;

/**
 * Render a Vega-Lite spec to an SVG string.
 *
 * @example
 * ```ts
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Horizontal bars: the density (fraction of weights kept) of each weight. */
export function densityBars(rows: { weight: string; density: number }[]): TopLevelSpec {
  return {
    width: WIDTH,
    height: { step: 18 },
    data: { values: rows },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: 'weight', type: 'nominal', sort: null, title: null },
      x: {
        field: 'density',
        type: 'quantitative',
        scale: { domain: [0, 1] },
        axis: { format: '%' },
        title: 'weights kept',
      },
      tooltip: [{ field: 'weight' }, { field: 'density', format: '.1%' }],
    },
  };
}

/**
 * Accuracy against sparsity: search samples as points (feasible or not), and each layer's
 * sensitivity probes as a line.
 */
export function accuracyVsSparsity(samples: Row[], sensitivity: Row[]): TopLevelSpec {
  const x = { field: 'sparsity', type: 'quantitative', axis: { format: '%' }, title: 'sparsity' } as const;
  const y = {
    field: 'accuracy',
    type: 'quantitative',
    scale: { zero: false },
    axis: { format: '%' },
  } as const;
  const layers: TopLevelSpec[] = [];
  if (sensitivity.length > 0) {
    layers.push({
      data: { values: sensitivity },
      mark: { type: 'line', point: true, opacity: 0.7 },
      encoding: { x, y, color: { field: 'layer', type: 'nominal', title: 'layer alone' } },
    } as TopLevelSpec);
  }
  if (samples.length > 0) {
    layers.push({
      data: { values: samples },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: { x, y, shape: { field: 'feasible', type: 'nominal', title: 'feasible sample' } },
    } as TopLevelSpec);
  }
  return { width: WIDTH, height: HEIGHT, layer: layers } as TopLevelSpec;
}

/** The search trace: each sample's objective in the order taken, marked feasible or not. */
export function searchTrace(samples: Row[], objectiveName: string): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    data: { values: samples },
    layer: [
      { mark: { type: 'line', color: '#999' } },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { color: { field: 'feasible', type: 'nominal' } },
      },
    ],
    encoding: {
      x: { field: 'index', type: 'ordinal', title: 'sample' },
      y: { field: 'objective', type: 'quantitative', scale: { zero: false }, title: objectiveName },
    },
  } as TopLevelSpec;
}

/** Training curves: one line per series (loss, accuracy...) against the step, a panel each. */
export function trainingCurves(rows: Row[]): TopLevelSpec {
  return {
    data: { values: rows },
    facet: { row: { field: 'series', type: 'nominal', title: null } },
    spec: {
      width: WIDTH,
      height: 140,
      mark: { type: 'line', point: rows.length < 60 },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}
