export { sparsityReport, formatSizeTable } from './sparsity.js';
export type { SparsityReport, SparsityReportOptions, SparsityRow, SavedDtype } from './sparsity.js';
export { writeReport } from './html.js';
export type { WriteReportOptions, WriteReportResult } from './html.js';
export { readRunDir, RUN_FILES } from './run-dir.js';
export type { LoggedSample, RunContents, RunSummary, SensitivityFile, TrainingLogLine } from './run-dir.js';
export { renderSvg } from './plots.js';
export { TrainingLog } from './training-log.js';

export { summary, type ModelFigures, type Summary, type SummaryOptions } from './summary.js';
export { formatSummary } from './summary-table.js';
