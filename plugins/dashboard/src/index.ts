export { default } from './plugin.js';
export { findWebDir, webDirCandidates } from './web-dir.js';
export { reportRoutes, MAX_REPORT_BYTES, type CallTool } from './report-routes.js';
export type { DashboardErrorCode } from './errors.js';
