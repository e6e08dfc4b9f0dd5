import { createFileMonitorPlugin } from './plugin.js';

/** Watches project files: changes, renames, bursts, with .gitignore honoured. */
const fileMonitor = createFileMonitorPlugin();
export default fileMonitor;

export { createFileMonitorPlugin, type FileMonitorApi, type FileMonitorOptions } from './plugin.js';
export { Coalescer, DEFAULT_COALESCER_OPTIONS, foldKind, summarizeBulk, type BulkItem, type ChangeKind, type CoalescedOutput, type CoalescerOptions } from './coalescer.js';
export { RenamePairer, type MatchedBy, type PendingDelete } from './rename-pairer.js';
export { IgnoreMatcher, DEFAULT_IGNORES, type IgnoreMatcherOptions } from './ignore-matcher.js';
export { lineDelta, countLines, isBinary, type LineDelta } from './line-delta.js';
export { inspectFile, nodeInspectorFs, type FileFacts, type InspectorFs } from './file-inspector.js';
export { ContentCache, MemoryKnownFiles, type KnownFile, type KnownFiles } from './content-cache.js';
export { BACKENDS, parcelBackend, chokidarBackend, pollBackend, watchLimitOf, WATCH_LIMIT_FIX, INSTANCE_LIMIT_FIX, type BackendFactory, type BackendName, type RawChange, type WatchBackend } from './backends.js';
export { WatchSupervisor } from './watch-supervisor.js';
export { scanDirectory } from './dir-scan.js';
export { changeLines, problemWarning } from './file-events.js';
export { HotspotRollup, SqliteKnownFiles, type Hotspot } from './file-store.js';
export { ProjectWatcher, type BulkChangedData, type FileChangedData, type FileEventSink, type FileRenamedData, type WatchNotice, type WatchStats } from './project-watcher.js';
export { languageOf, extOf } from './languages.js';
export { summarize, toActivity, MONITOR_SOURCES } from './activity.js';
