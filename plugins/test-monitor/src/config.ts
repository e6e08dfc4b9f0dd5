/** Commands that are tests even when no runner summary is recognized (e.g. the runner crashed first). */
export const DEFAULT_TEST_PATTERNS = [
  'npm test', 'npm t', 'npm run test*', 'pnpm test', 'pnpm run test*', 'yarn test', 'yarn run test*', 'bun test', 'bun run test*',
  'node --test', 'vitest', 'jest', 'mocha', 'ava', 'tap', 'playwright test', 'cypress run',
  'pytest', 'tox', 'nox', 'go test', 'cargo test', 'cargo nextest', 'make test', 'make check', 'gradle test', 'gradlew test', 'mvn test',
  'dotnet test', 'rspec', 'rake test', 'phpunit', 'mix test', 'ctest', 'deno test',
] as const;

export const DEFAULT_BUILD_PATTERNS = [
  'npm run build*', 'pnpm build*', 'pnpm run build*', 'yarn build*', 'yarn run build*', 'bun run build*',
  'tsc', 'vite build', 'next build', 'nuxt build', 'webpack', 'rollup', 'esbuild', 'turbo build', 'turbo run build*', 'nx build',
  'cargo build', 'go build', 'make', 'cmake', 'ninja', 'gradle build', 'gradle assemble', 'gradlew build', 'gradlew assemble', 'mvn package', 'mvn install', 'mvn compile',
  'dotnet build', 'docker build', 'docker buildx', 'docker compose build', 'bazel build', 'swift build', 'mix compile',
] as const;

export const DEFAULT_DEPLOY_PATTERNS = [
  'npm run deploy*', 'pnpm run deploy*', 'yarn deploy*', 'yarn run deploy*', 'bun run deploy*',
  'fly deploy', 'flyctl deploy', 'vercel deploy', 'vercel --prod', 'netlify deploy', 'firebase deploy', 'wrangler deploy', 'wrangler publish',
  'serverless deploy', 'sls deploy', 'cdk deploy', 'terraform apply', 'pulumi up', 'kubectl apply', 'kubectl rollout', 'helm upgrade', 'helm install',
  'gcloud app deploy', 'gcloud run deploy', 'eb deploy', 'heroku container:release', 'cap deploy', 'ansible-playbook', 'railway up',
] as const;

export const DEFAULT_REPORTS = ['**/junit*.xml', '**/test-results/**/*.xml', 'coverage/lcov.info', 'coverage/coverage-summary.json'] as const;

export const DEFAULT_IGNORE = [
  'node_modules', '.git', '.hg', '.svn', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache',
  '.cache', '.next', '.nuxt', '.turbo', '.gradle', '.idea', '.vscode', 'target', 'vendor', 'bower_components',
] as const;

const strings = (def: readonly string[], description: string) =>
  ({ type: 'array', items: { type: 'string', minLength: 1, maxLength: 500 }, maxItems: 500, default: [...def], description }) as const;

/** The plugin's config schema (defaults applied by the kernel). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    testPatterns: strings(DEFAULT_TEST_PATTERNS, 'Commands that count as test runs even without a recognized runner summary.'),
    buildPatterns: strings(DEFAULT_BUILD_PATTERNS, 'Commands that count as builds (when no test summary was recognized).'),
    deployPatterns: strings(DEFAULT_DEPLOY_PATTERNS, 'Commands that count as deploys (these win over test and build).'),
    reports: strings(DEFAULT_REPORTS, 'Report files to watch: globs relative to each project root.'),
    ignore: strings(DEFAULT_IGNORE, 'Directory names a report search never descends into.'),
    watchReports: { type: 'boolean', default: true, description: 'Watch report files (in the process holding the monitor lease).' },
    rescanSeconds: { type: 'integer', minimum: 0, maximum: 86400, default: 30, description: 'How often to walk the projects for new report directories (0: only at start; fs.watch covers known directories).' },
    scanReportsAfterRun: { type: 'boolean', default: true, description: 'After `devflow run`, read report files the command wrote and attach their coverage and counts.' },
    maxReportBytes: { type: 'integer', minimum: 1024, maximum: 1_000_000_000, default: 20_000_000, description: 'Larger report files are not read.' },
    maxDirs: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 20_000, description: 'Most directories one search of one project reads.' },
    maxFailingTests: { type: 'integer', minimum: 0, maximum: 500, default: 50, description: 'Most failing test names kept per run or report.' },
    forceColor: { type: 'boolean', default: true, description: 'When devflow writes to a terminal, set FORCE_COLOR=1 for the command (its output goes through a pipe) unless FORCE_COLOR or NO_COLOR is set.' },
  },
} as const;
