/**
 * Register, for the wasm backend, the training kernels it lacks or gets wrong. Each kernel
 * lives in its own file beside this one. Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  // Filled in by the backend work (issue 2): Conv2DBackpropFilter, MaxPoolGrad, ...
}
