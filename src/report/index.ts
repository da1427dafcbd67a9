export { sparsityReport, formatSizeTable } from './sparsity.js';
export type { SparsityReport, SparsityReportOptions, SparsityRow, SavedDtype } from './sparsity.js';
