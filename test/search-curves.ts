/** Piecewise-linear interpolation of measured (sparsity, accuracy) points, flat before the first. */
export function piecewiseLinear(points: ReadonlyArray<readonly [number, number]>): (s: number) => number {
  return (s) => {
    const k = points.findIndex(([x]) => x >= s);
    if (k <= 0) return points[k === 0 ? 0 : points.length - 1][1];
    const [[x0, y0], [x1, y1]] = [points[k - 1], points[k]];
    return y0 + ((y1 - y0) * (s - x0)) / (x1 - x0);
  };
}
