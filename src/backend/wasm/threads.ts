/**
 * Configure wasm multithreading before the backend is created. Placeholder: single-threaded.
 */
export async function configureWasmThreads(_threads: number | undefined): Promise<void> {}
