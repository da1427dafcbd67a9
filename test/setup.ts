import { initBackend } from '../src/backend/index.js';

// Every test file runs on the project's default backend (wasm here), as users do.
await initBackend({ announce: false });
