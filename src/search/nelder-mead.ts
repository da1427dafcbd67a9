/**
 * Derivative-free minimisation (Nelder-Mead simplex). The GP's log marginal likelihood is
 * cheap (a few points) and low-dimensional (lengthscales, signal and noise variance in log
 * space), so a simplex search with restarts is enough and avoids a dependency.
 *
 * @example
 * const { x } = nelderMead((p) => (p[0] - 1) ** 2 + (p[1] + 2) ** 2, [0, 0]);
 * // x is close to [1, -2]
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: readonly number[],
  opts: { step?: number; maxIterations?: number; tolerance?: number } = {},
): { x: number[]; value: number; iterations: number } {
  const step = opts.step ?? 0.5;
  const maxIterations = opts.maxIterations ?? 200 * start.length;
  const tolerance = opts.tolerance ?? 1e-8;
  const n = start.length;
  // Non-finite values (a failed Cholesky) are treated as +Infinity so the simplex moves away.
  const evaluate = (x: number[]): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let simplex: { x: number[]; value: number }[] = [{ x: [...start], value: evaluate([...start]) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] += step;
    simplex.push({ x, value: evaluate(x) });
  }
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i] - ai));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.value - q.value);
    const best = simplex[0];
    const worst = simplex[n];
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let d = 0; d < n; d++) centroid[d] += simplex[i].x[d] / n;
    const reflected = combine(centroid, worst.x, -1);
    const fr = evaluate(reflected);
    if (fr < best.value) {
      const expanded = combine(centroid, worst.x, -2);
      const fe = evaluate(expanded);
      simplex[n] = fe < fr ? { x: expanded, value: fe } : { x: reflected, value: fr };
    } else if (fr < simplex[n - 1].value) {
      simplex[n] = { x: reflected, value: fr };
    } else {
      const contracted =
        fr < worst.value ? combine(centroid, reflected, 0.5) : combine(centroid, worst.x, 0.5);
      const fc = evaluate(contracted);
      if (fc < Math.min(fr, worst.value)) {
        simplex[n] = { x: contracted, value: fc };
      } else {
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = combine(best.x, p.x, 0.5);
          return { x, value: evaluate(x) };
        });
      }
    }
  }
  simplex.sort((p, q) => p.value - q.value);
  return { x: simplex[0].x, value: simplex[0].value, iterations };
}
