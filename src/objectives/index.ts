export * from './objective.js';
export * from './timing.js';
export * from './speed.js';
export * from './size.js';
export * from './goal.js';
export * from './namespace.js';
export * from './deployed.js';
export * from './browser.js';
