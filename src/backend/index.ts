export { initBackend, wasmThreadCount } from './init.js';
export type { BackendName, InitBackendOptions } from './init.js';
