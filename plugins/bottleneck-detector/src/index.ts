export { default } from './plugin.js';
export type { BottleneckOpened, BottleneckResolved } from './events.js';
export type { Finding } from './findings.js';
export type { Evidence, Verdict } from './rules.js';
export { detectSlow, median, robustZ, type SlowOptions, type SlowVerdict } from './anomaly.js';
export { RULES, RULE_IDS, resolveRules, settingsFor, type ResolvedRules, type RuleId, type RuleProblem, type RuleSettings, type Severity } from './rule-config.js';
export type { DetectorConfig } from './config.js';
