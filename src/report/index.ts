export { sparsityReport, formatSizeTable } from './sparsity.js';
export type { SparsityReport, SparsityReportOptions, SparsityRow, SavedDtype } from './sparsity.js';
export { summary, type ModelFigures, type Summary, type SummaryOptions } from './summary.js';
export { formatSummary } from './summary-table.js';
