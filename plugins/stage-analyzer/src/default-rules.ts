// The shipped stage rules: data, overridable per rule name in the config (README: Default rules).
import type { StageRule } from './rules.js';

/** Events that carry file paths: file changes, renames, bulk changes and commits. */
export const PATH_EVENTS = ['file-monitor.file.changed', 'file-monitor.file.renamed', 'file-monitor.files.bulk-changed', 'git-monitor.commit.created'];
const COMMIT = ['git-monitor.commit.created'];
const AI_SESSION = ['ai-monitor.session.updated', 'ai-monitor.session.ended'];
const TESTS = ['**/*.{test,spec}.*', '**/__tests__/**', '**/test/**', '**/tests/**', '**/*_test.go', '**/test_*.py', '**/e2e/**', '**/cypress/**', '**/playwright/**', '**/integration/**'];
const E2E = ['**/e2e/**', '**/cypress/**', '**/playwright/**', '**/*.e2e.*', '**/playwright.config.*', '**/cypress.config.*'];
const INTEGRATION = ['**/integration/**', '**/*.integration.*', '**/*.int.test.*'];
const E2E_RUNNERS = ['playwright', 'cypress', 'webdriverio', 'testcafe', 'nightwatch'];

const paths = (name: string, stage: string, weight: number, pathGlobs: string[], extra: Partial<StageRule> & { notPathGlobs?: string[] } = {}): StageRule => {
  const { notPathGlobs, ...rest } = extra;
  return { name, stage, weight, when: { types: PATH_EVENTS, pathGlobs, ...(notPathGlobs ? { notPathGlobs } : {}) }, ...rest };
};

export const DEFAULT_RULES: readonly StageRule[] = [
  // Documents before code.
  paths('prd-docs', 'prd', 2, ['**/docs/**/prd*', '**/prd*.md', '**/*requirements*.{md,txt,docx,pdf}', '**/docs/specs/**/*.md', '**/*user-stor*', '**/*product-spec*']),
  paths('planning-docs', 'planning', 2, ['**/*roadmap*', '**/*plan*.md', '**/backlog*', '**/*milestone*', '**/docs/adr/**', '**/TODO.md', '**/*.todo']),
  { name: 'docs-commit', stage: 'planning', weight: 0.75, when: { types: COMMIT, commitTypes: ['docs'] } },
  paths('erd-schema', 'erd', 2, ['**/*.sql', '**/migrations/**', '**/migrate/**', '**/*.prisma', '**/*.dbml', '**/erd*', '**/*-erd*', '**/*_erd*', '**/*.erd', '**/schema.{rb,graphql,gql}', '**/db/schema*']),
  paths('wireframes', 'wireframe', 2, ['**/wireframes/**', '**/wireframe*', '**/*.excalidraw', '**/*.drawio', '**/mockups/**']),
  paths('screen-designs', 'screen-design', 2, ['**/*.fig', '**/*.sketch', '**/*.xd', '**/screens/**/*.{png,jpg,jpeg,svg}', '**/design/screens/**']),
  paths('design-system', 'design', 1.5, ['**/*tokens*.{json,js,ts,css}', '**/*.{css,scss,sass,less}', '**/*.stories.*', '**/.storybook/**', '**/theme/**', '**/tailwind.config.*', '**/styles/**']),
  // Code by area.
  paths('frontend-code', 'frontend', 1, ['**/src/components/**', '**/components/**', '**/*.{tsx,jsx,vue,svelte}', '**/pages/**', '**/app/**', '**/public/**', '**/src/hooks/**', '**/*.html'], {
    notPathGlobs: [...TESTS, '**/*.stories.*', '**/api/**'],
  }),
  paths('backend-code', 'backend', 1, ['**/api/**', '**/server/**', '**/routes/**', '**/controllers/**', '**/handlers/**', '**/services/**', '**/middleware/**', '**/*.go', '**/*.{py,rb,java,kt,rs,php,cs}'], {
    notPathGlobs: [...TESTS, '**/migrations/**'],
  }),
  paths('use-cases', 'coding', 1.5, ['**/use-cases/**', '**/usecases/**', '**/use_cases/**', '**/docs/**/use-case*'], { subStage: 'use-case', notPathGlobs: TESTS }),
  paths('domain-model', 'coding', 1.5, ['**/domain/**', '**/entities/**', '**/models/**', '**/aggregates/**'], { subStage: 'domain-modeling', notPathGlobs: TESTS }),
  paths('core-code', 'coding', 1, ['**/lib/**', '**/utils/**', '**/core/**', '**/internal/**', '**/pkg/**'], { subStage: 'business-logic', notPathGlobs: TESTS }),
  // Tests, by where they live.
  paths('unit-tests', 'coding', 1.5, ['**/*.{test,spec}.*', '**/__tests__/**', '**/test/**', '**/tests/**', '**/*_test.go', '**/test_*.py'], { subStage: 'unit-testing', notPathGlobs: [...E2E, ...INTEGRATION] }),
  paths('integration-tests', 'coding', 1.5, INTEGRATION, { subStage: 'integration-testing', notPathGlobs: E2E }),
  paths('e2e-tests', 'coding', 1.5, E2E, { subStage: 'e2e-testing' }),
  { name: 'test-runs', stage: 'coding', subStage: 'unit-testing', weight: 1, when: { types: ['test-monitor.run.finished'], fields: { kind: 'test' }, notFields: { runner: E2E_RUNNERS } } },
  { name: 'e2e-test-runs', stage: 'coding', subStage: 'e2e-testing', weight: 1.5, when: { types: ['test-monitor.run.finished'], fields: { kind: 'test', runner: E2E_RUNNERS } } },
  { name: 'test-reports', stage: 'coding', subStage: 'unit-testing', weight: 0.5, when: { types: ['test-monitor.report.parsed'] } },
  // Commits by Conventional Commit type.
  { name: 'feat-commit', stage: 'coding', subStage: 'business-logic', weight: 0.75, when: { types: COMMIT, commitTypes: ['feat', 'fix', 'perf'] } },
  { name: 'refactor-commit', stage: 'coding', subStage: 'refactoring', weight: 1.5, when: { types: COMMIT, commitTypes: ['refactor', 'style'] } },
  { name: 'test-commit', stage: 'coding', subStage: 'unit-testing', weight: 1.5, when: { types: COMMIT, commitTypes: ['test'] } },
  // AI collaboration.
  { name: 'ai-session', stage: 'ai-collaboration', weight: 1.5, when: { types: AI_SESSION } },
  { name: 'ai-commit', stage: 'ai-collaboration', weight: 1, when: { types: ['ai-monitor.commit.attributed'] } },
  paths('prompt-files', 'coding', 2, ['**/prompts/**', '**/*.prompt', '**/*.prompt.md', '**/CLAUDE.md', '**/AGENTS.md', '**/.cursorrules', '**/.cursor/rules/**'], { subStage: 'prompt-design' }),
  { name: 'ai-scaffold', stage: 'coding', subStage: 'ai-scaffold', weight: 3, when: { types: ['file-monitor.files.bulk-changed'], withStage: { stage: 'ai-collaboration', withinMinutes: 30 } } },
  // Git housekeeping.
  { name: 'branch-work', stage: 'git-management', weight: 1.5, when: { types: ['git-monitor.branch.switched', 'git-monitor.branch.created', 'git-monitor.branch.deleted', 'git-monitor.stash.created'] } },
  { name: 'merges', stage: 'git-management', weight: 2, when: { types: ['git-monitor.merge.detected'] } },
  { name: 'history-rewrites', stage: 'git-management', weight: 2, when: { types: ['git-monitor.history.rewritten'] } },
  { name: 'other-tags', stage: 'git-management', weight: 1, when: { types: ['git-monitor.tag.created'] } },
  // Shipping and running.
  { name: 'release-tag', stage: 'deployment', weight: 4, when: { types: ['git-monitor.tag.created'], tagPattern: '^(v|release-?)?\\d+\\.\\d+\\.\\d+' } },
  { name: 'deploy-run', stage: 'deployment', weight: 5, when: { types: ['test-monitor.deploy.finished'] } },
  { name: 'ci-commit', stage: 'deployment', weight: 0.75, when: { types: COMMIT, commitTypes: ['ci', 'build', 'release'] } },
  paths('deploy-config', 'deployment', 1.5, ['**/Dockerfile*', '**/docker-compose*', '**/.github/workflows/**', '**/.gitlab-ci.yml', '**/k8s/**', '**/helm/**', '**/*.tf', '**/deploy/**', '**/fly.toml', '**/vercel.json', '**/netlify.toml', '**/Procfile']),
  { name: 'system-alerts', stage: 'operation', weight: 3, when: { types: ['system-monitor.threshold.exceeded', 'system-monitor.threshold.cleared'] } },
  paths('runtime-logs', 'operation', 1.5, ['**/*.log', '**/logs/**']),
  {
    name: 'quiet-after-deploy',
    stage: 'operation',
    weight: 6,
    description: 'the first activity after a deployment and a quiet period: the project is running',
    when: { types: ['system-monitor.*', 'file-monitor.file.changed', 'ai-monitor.session.updated', 'git-monitor.commit.created', 'test-monitor.run.finished'], afterStages: ['deployment'], quietMinutes: 120 },
  },
];
