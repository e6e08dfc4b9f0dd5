// A deterministic, realistic development history for the analyzers benchmark: four projects over
// N days (default 90), as the monitors would have recorded it (payloads as in docs/events.md).
//
// Same seed, size, days and end time → the same events, byte for byte. Nothing reads the clock.
//
//   - Calendar: the last day is a Thursday and `end` is 16:00 on it (a synthetic local time), so
//     "today" and "this week" always hold work. Weekdays: a morning and an afternoon block (start,
//     lunch, end jittered), 0–2 meetings (idle gaps), an evening block now and then, days off;
//     weekends: an occasional short block. Each project has its own developer and rhythm.
//   - Work is a stream of steps with exponential gaps (the mean is calibrated so the whole history
//     holds about `events` events), each step one of: edit a file (≈ 85 %), commit (≈ 4 %, ≤ 10
//     files, conventional subjects, issue keys, trailers; ≈ 25 % attributed to an AI session), a
//     test run (≈ 3 %: red streaks, flaky tests, coverage, slow days), a build (≈ 1 %: run.finished
//     + build.finished, a slowing week), AI session updates (≈ 3 %, only while a session runs;
//     sessions start and end with the blocks), branch switches between open tasks, finishing a
//     task (merge commit, fast-forward or squash merge "(#PR)", branch deleted, a new branch),
//     deploys from main (≈ 0.1 %, some failing, some followed by a revert), release tags,
//     renames, bulk changes, parsed test reports.
//   - Projects go through phases that change which files are edited: `mobile` is born in the window
//     (PRD → planning → schema → wireframes/design → coding → e2e → deployment/operation), `webapp`
//     has a redesign, `api` a migration-heavy stretch, `infra` is steady.
//
// Usage: `history({ seed, events, days, end })` yields one array per day (all projects, sorted by
// `ts`), each event `{ type, project, ts, data }` with `type` in a monitor's namespace.
// `historyEvents(opts, limit)` returns the first `limit` events as one array.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// --- PRNG (mulberry32): small, fast, deterministic -------------------------------------------
export class Rng {
  constructor(seed) {
    this.s = seed >>> 0;
  }
  next() {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  /** Popular items first: index ~ n·u^skew. */
  zipf(arr, skew = 2.2) {
    return arr[Math.min(arr.length - 1, Math.floor(arr.length * this.next() ** skew))];
  }
  exp(mean) {
    return -Math.log(1 - this.next()) * mean;
  }
  normal() {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  lognormal(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }
  hex(n) {
    let s = '';
    while (s.length < n) s += ((this.next() * 2 ** 32) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  uuid() {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  weighted(entries) {
    let total = 0;
    for (const [, w] of entries) total += w;
    let x = this.next() * total;
    for (const [k, w] of entries) if ((x -= w) < 0) return k;
    return entries[entries.length - 1][0];
  }
}

// --- File catalogs, by category (the categories line up with stage-analyzer's default rules) -----
const expand = (pattern, names) => names.map((n) => pattern.replaceAll('{}', n));
const COMPONENTS = ['Button', 'Modal', 'Header', 'Sidebar', 'CartItem', 'ProductCard', 'CheckoutForm', 'LoginForm', 'UserMenu', 'SearchBar', 'Pagination', 'Toast', 'DataTable', 'Chart', 'Avatar', 'Dropdown', 'Tabs', 'Tooltip'];
const SCREENS = ['Home', 'Onboarding', 'SignIn', 'NoteList', 'NoteEditor', 'Settings', 'Profile', 'Share', 'SyncStatus', 'Search'];
const CATALOGS = {
  webapp: {
    frontend: [...expand('src/components/{}/{}.tsx', COMPONENTS), ...expand('src/pages/{}.tsx', ['index', 'login', 'checkout', 'cart', 'product', 'search', 'settings', 'orders', 'admin']), ...expand('src/hooks/{}.ts', ['useAuth', 'useCart', 'useDebounce', 'useFetch', 'useMediaQuery'])],
    design: [...expand('src/styles/{}.scss', ['main', 'variables', 'layout', 'forms', 'print']), 'src/theme/tokens.ts', 'tailwind.config.js', ...expand('src/components/{}/{}.stories.tsx', COMPONENTS.slice(0, 8))],
    screen: [...expand('design/screens/{}.png', ['home', 'checkout', 'cart', 'login', 'search']), 'design/webapp.fig'],
    wireframe: expand('design/wireframes/{}.excalidraw', ['checkout', 'onboarding', 'search']),
    unit: [...expand('src/components/{}/{}.test.tsx', COMPONENTS.slice(0, 12)), ...expand('src/lib/{}.test.ts', ['cart', 'pricing', 'format', 'validation']), 'src/hooks/useAuth.test.ts'],
    e2e: [...expand('e2e/{}.spec.ts', ['checkout', 'login', 'search', 'orders']), 'playwright.config.ts'],
    core: [...expand('src/lib/{}.ts', ['api-client', 'pricing', 'cart', 'format', 'validation', 'storage', 'analytics']), ...expand('src/utils/{}.ts', ['date', 'money', 'strings'])],
    domain: expand('src/domain/{}.ts', ['order', 'product', 'user', 'cart']),
    backend: expand('src/api/{}.ts', ['orders', 'auth', 'products', 'search']),
    prd: ['docs/prd.md', 'docs/specs/checkout.md', 'docs/specs/search.md'],
    planning: ['docs/roadmap.md', 'docs/adr/0001-state-management.md', 'docs/adr/0002-styling.md', 'TODO.md'],
    prompts: ['CLAUDE.md', 'prompts/review.md'],
    deploy: ['Dockerfile', '.github/workflows/ci.yml', '.github/workflows/deploy.yml', 'vercel.json'],
    other: ['package.json', 'README.md', 'tsconfig.json', '.eslintrc.json', 'package-lock.json'],
  },
  api: {
    backend: [...expand('internal/handlers/{}.go', ['orders', 'users', 'auth', 'products', 'payments', 'health', 'webhooks']), ...expand('internal/service/{}.go', ['orders', 'users', 'billing', 'notify', 'search']), 'internal/server/router.go', 'internal/server/middleware.go', 'cmd/api/main.go'],
    erd: [...expand('migrations/{}.up.sql', ['0001_init', '0002_orders', '0003_payments', '0004_invoices', '0005_search_index', '0006_audit']), 'docs/erd.dbml'],
    unit: [...expand('internal/handlers/{}_test.go', ['orders', 'users', 'auth', 'payments']), ...expand('internal/service/{}_test.go', ['orders', 'billing', 'search'])],
    integration: expand('test/integration/{}_test.go', ['orders', 'payments', 'auth']),
    core: expand('pkg/{}.go', ['auth/jwt', 'db/pool', 'cache/redis', 'queue/nats', 'config/config', 'log/log']),
    domain: expand('internal/domain/{}.go', ['order', 'user', 'payment', 'invoice']),
    deploy: ['Dockerfile', 'k8s/deployment.yaml', 'k8s/service.yaml', 'k8s/ingress.yaml', '.github/workflows/ci.yml'],
    prd: ['docs/specs/api-v2.md', 'docs/requirements.md'],
    planning: ['docs/roadmap.md', 'docs/adr/0001-postgres.md', 'docs/adr/0002-event-bus.md'],
    prompts: ['AGENTS.md'],
    other: ['go.mod', 'go.sum', 'Makefile', 'README.md', 'openapi.yaml'],
  },
  mobile: {
    prd: ['docs/prd.md', 'docs/requirements.md', 'docs/user-stories.md', ...expand('docs/specs/{}.md', ['onboarding', 'sync', 'offline', 'sharing'])],
    planning: ['docs/roadmap.md', 'docs/milestones.md', 'docs/adr/0001-react-native.md', 'docs/adr/0002-offline-sync.md', 'TODO.md'],
    erd: ['prisma/schema.prisma', 'db/migrations/001_init.sql', 'db/migrations/002_sync.sql', 'docs/erd.dbml'],
    wireframe: [...expand('design/wireframes/{}.excalidraw', ['onboarding', 'home', 'sync', 'settings']), 'design/wireframes/flows.drawio'],
    screen: [...expand('design/screens/{}.png', ['onboarding', 'home', 'settings', 'profile', 'editor']), 'design/mobile.fig'],
    design: [...expand('src/theme/{}.ts', ['tokens', 'colors', 'typography', 'spacing']), ...expand('src/components/{}/{}.stories.tsx', ['Button', 'NoteCard', 'Toolbar'])],
    frontend: [...expand('src/screens/{}.tsx', SCREENS), ...expand('src/components/{}/{}.tsx', ['Button', 'NoteCard', 'Toolbar', 'EmptyState', 'SyncBadge', 'Avatar'])],
    usecase: expand('src/use-cases/{}.ts', ['sign-up', 'sync-notes', 'share-note', 'restore-backup']),
    domain: expand('src/domain/{}.ts', ['account', 'note', 'attachment', 'sync-state']),
    core: expand('src/lib/{}.ts', ['sync-engine', 'storage', 'crypto', 'api', 'retry']),
    unit: [...expand('src/lib/{}.test.ts', ['sync-engine', 'storage', 'crypto']), ...expand('src/screens/{}.test.tsx', SCREENS.slice(0, 5)), ...expand('src/use-cases/{}.test.ts', ['sign-up', 'sync-notes'])],
    e2e: expand('e2e/{}.e2e.ts', ['onboarding', 'sync', 'share', 'offline']),
    prompts: ['CLAUDE.md', 'prompts/scaffold.prompt.md', 'prompts/review.prompt.md'],
    deploy: ['.github/workflows/release.yml', '.github/workflows/ci.yml', 'Dockerfile', 'fly.toml'],
    logs: ['logs/device.log', 'logs/sync-server.log'],
    other: ['package.json', 'app.json', 'README.md', 'babel.config.js'],
  },
  infra: {
    deploy: [...expand('infra/{}.tf', ['main', 'network', 'db', 'dns', 'iam', 'monitoring']), ...expand('k8s/{}/deployment.yaml', ['api', 'web', 'worker']), ...expand('k8s/{}/hpa.yaml', ['api', 'worker']), ...expand('helm/values-{}.yaml', ['prod', 'staging']), '.github/workflows/plan.yml', '.github/workflows/apply.yml'],
    backend: expand('scripts/{}.py', ['rotate_keys', 'backup_db', 'cleanup', 'cost_report']),
    unit: expand('tests/test_{}.py', ['rotate_keys', 'backup_db', 'cleanup']),
    planning: ['docs/roadmap.md', 'docs/adr/0001-terraform-cloud.md', 'TODO.md'],
    logs: ['logs/apply.log', 'logs/plan.log'],
    other: ['README.md', 'Makefile', 'docs/runbooks/incident.md', 'docs/runbooks/rollback.md'],
  },
};

/** Category weights of file edits by phase (from day). */
const PHASES = {
  webapp: [
    [0, { frontend: 30, design: 8, unit: 16, e2e: 4, core: 12, domain: 5, backend: 6, prd: 1, planning: 2, prompts: 2, deploy: 2, other: 5 }],
    [30, { frontend: 28, design: 26, screen: 6, wireframe: 3, unit: 10, e2e: 3, core: 8, domain: 3, backend: 3, prompts: 2, deploy: 1, other: 4 }],
    [46, { frontend: 30, design: 6, unit: 20, e2e: 7, core: 12, domain: 5, backend: 6, planning: 2, prompts: 2, deploy: 3, other: 5 }],
  ],
  api: [
    [0, { backend: 40, erd: 5, unit: 18, integration: 6, core: 12, domain: 6, deploy: 4, prd: 1, planning: 2, prompts: 1, other: 5 }],
    [40, { backend: 24, erd: 28, unit: 14, integration: 8, core: 8, domain: 8, deploy: 2, planning: 3, other: 5 }],
    [51, { backend: 40, erd: 4, unit: 20, integration: 7, core: 12, domain: 5, deploy: 4, planning: 1, prompts: 1, other: 6 }],
  ],
  mobile: [
    [0, { prd: 55, planning: 25, prompts: 5, other: 5 }],
    [8, { erd: 45, planning: 20, domain: 15, prd: 8, other: 4 }],
    [15, { wireframe: 35, screen: 25, design: 25, prd: 5, planning: 4 }],
    [25, { frontend: 32, domain: 10, usecase: 8, core: 14, unit: 16, design: 8, prompts: 4, other: 4 }],
    [68, { e2e: 32, unit: 14, frontend: 22, core: 8, deploy: 14, other: 4 }],
    [80, { deploy: 22, logs: 18, frontend: 22, unit: 14, core: 12, other: 4 }],
  ],
  infra: [[0, { deploy: 55, backend: 14, unit: 8, planning: 6, logs: 7, other: 10 }]],
};

const LANG = { ts: 'typescript', tsx: 'typescript', js: 'javascript', go: 'go', py: 'python', sql: 'sql', prisma: 'prisma', dbml: null, md: 'markdown', yaml: 'yaml', yml: 'yaml', json: 'json', tf: 'hcl', scss: 'scss', toml: 'toml', mod: null, sum: null, log: null, excalidraw: 'json', drawio: 'xml' };
const BINARY = new Set(['png', 'fig']);
const extOf = (path) => {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const i = base.lastIndexOf('.');
  return i > 0 ? base.slice(i + 1) : '';
};

const PROJECT_SPECS = [
  {
    name: 'webapp', key: 'WEB', share: 0.34, born: 0,
    dev: { name: 'Ada Park', email: 'ada@example.com' }, tz: 0,
    test: { command: 'npm test', runner: 'vitest', ms: 38_000, tests: 820, growth: 3, coverage: 71 },
    e2e: { command: 'npx playwright test', runner: 'playwright', ms: 95_000, tests: 46 },
    build: { command: 'npm run build', ms: 48_000, slow: [70, 75, 2.1] },
    deploy: { command: 'npm run deploy', ms: 140_000 },
    ai: 0.55, scopes: ['cart', 'checkout', 'auth', 'search', 'ui', 'orders'],
  },
  {
    name: 'api', key: 'API', share: 0.3, born: 0,
    dev: { name: 'Bo Chen', email: 'bo@example.com' }, tz: 0,
    test: { command: 'go test ./...', runner: 'go', ms: 21_000, tests: 1240, growth: 4, coverage: 78, slow: [60, 62, 1.9] },
    build: { command: 'go build ./...', ms: 16_000 },
    deploy: { command: 'make deploy', ms: 95_000 },
    ai: 0.35, scopes: ['orders', 'billing', 'auth', 'db', 'search', 'webhooks'],
  },
  {
    name: 'mobile', key: 'MOB', share: 0.22, born: 0,
    dev: { name: 'Cleo Diaz', email: 'cleo@example.com' }, tz: 0,
    test: { command: 'npx jest', runner: 'jest', ms: 52_000, tests: 0, growth: 9, coverage: 55, from: 25 },
    e2e: { command: 'npx detox test', runner: 'detox', ms: 240_000, tests: 18, from: 68 },
    build: { command: 'npx expo export', ms: 85_000, from: 25 },
    deploy: { command: 'npm run release', ms: 400_000, from: 72 },
    ai: 0.75, scopes: ['sync', 'editor', 'onboarding', 'share', 'storage'],
  },
  {
    name: 'infra', key: 'OPS', share: 0.14, born: 0,
    dev: { name: 'Dan Evans', email: 'dan@example.com' }, tz: 0,
    test: { command: 'pytest -q', runner: 'pytest', ms: 6_000, tests: 64, growth: 0.3, coverage: null },
    build: { command: 'terraform plan', ms: 32_000 },
    deploy: { command: 'terraform apply -auto-approve', ms: 180_000 },
    ai: 0.3, scopes: ['k8s', 'tf', 'ci', 'dns', 'backup'],
  },
];
export const PROJECTS = PROJECT_SPECS.map((p) => `/home/dev/projects/${p.name}`);

const TASK_TITLES = ['login', 'token-refresh', 'cart-totals', 'search-filters', 'dark-mode', 'order-history', 'payments-retry', 'rate-limit', 'csv-export', 'offline-sync', 'push-notifications', 'onboarding', 'audit-log', 'invoice-pdf', 'webhooks', 'cache-warmup', 'image-upload', 'sharing', 'settings-page', 'i18n', 'a11y-fixes', 'perf-budget', 'error-pages', 'feature-flags'];
const CONVENTIONAL = [['feat', 34], ['fix', 24], ['refactor', 10], ['test', 9], ['docs', 5], ['chore', 9], ['ci', 3], ['perf', 2], ['style', 2], [null, 2]];
const VERBS = { feat: ['add', 'support', 'introduce', 'implement'], fix: ['fix', 'handle', 'guard against', 'correct'], refactor: ['extract', 'simplify', 'split', 'rename'], test: ['cover', 'add tests for', 'test'], docs: ['document', 'describe'], chore: ['bump', 'update', 'clean up'], ci: ['cache', 'split', 'speed up'], perf: ['speed up', 'memoize'], style: ['format', 'tidy'] };
const AI_TOOLS = [['claude', 0.8, 'claude-sonnet-4-5'], ['codex', 0.2, 'gpt-5-codex']];

// --- The calendar --------------------------------------------------------------------------------
/** Local midnight of day k (0 = the first), the last day ends at `end` (16:00 local, a Thursday). */
function calendar(days, end) {
  const lastMidnight = end - 16 * HOUR;
  return {
    midnight: (k) => lastMidnight - (days - 1 - k) * DAY,
    weekday: (k) => (((k - (days - 1) + 3) % 7) + 7) % 7, // 0 = Monday … 6 = Sunday; the last day is Thursday
  };
}

/** Work blocks [start, end) of one project on day k. */
function blocksOf(rng, k, cal) {
  const m = cal.midnight(k);
  const wd = cal.weekday(k);
  const at = (h) => m + Math.round(h * HOUR);
  const blocks = [];
  if (wd >= 5) {
    if (rng.chance(0.18)) {
      const s = 10 + rng.next() * 8;
      blocks.push([at(s), at(s + 0.75 + rng.next() * 2.5)]);
    }
    return blocks;
  }
  if (rng.chance(0.06)) return blocks; // a day off
  const start = 8.4 + rng.next() * 1.6;
  const lunch = 12 + rng.next() * 1.2;
  const back = lunch + 0.5 + rng.next() * 0.6;
  const stop = 17 + rng.next() * 2;
  const raw = [[start, lunch], [back, stop]];
  if (rng.chance(0.12)) {
    const s = 20 + rng.next();
    raw.push([s, s + 0.5 + rng.next() * 1.5]);
  }
  // meetings: idle gaps cut into the blocks
  const meetings = rng.int(0, 2);
  let parts = raw;
  for (let i = 0; i < meetings; i++) {
    const ms = 9.5 + rng.next() * 7;
    const me = ms + 0.33 + rng.next() * 1.1;
    parts = parts.flatMap(([a, b]) => (ms >= b || me <= a ? [[a, b]] : [[a, ms], [me, b]].filter(([x, y]) => y - x > 0.1)));
  }
  for (const [a, b] of parts) blocks.push([at(a), at(b)]);
  return blocks;
}

// --- One project's simulation -----------------------------------------------------------------
class ProjectSim {
  constructor(spec, index, seed, meanGap) {
    this.spec = spec;
    this.root = PROJECTS[index];
    this.rng = new Rng(seed * 7919 + index * 104729 + 17);
    this.meanGap = meanGap;
    this.catalog = CATALOGS[spec.name];
    this.mainTip = this.rng.hex(40);
    this.tasks = [];
    this.current = null; // null: main
    this.issueSeq = 100 + index * 37;
    this.pr = 10 + index * 5;
    this.session = null;
    this.red = null; // { failing[], left }
    this.flaky = this.testNames(3);
    this.tests = spec.test.tests;
    this.coverage = spec.test.coverage;
    this.release = [1, index, 0];
    this.sinceDeploy = 0; // merges since the last deploy
    this.lastDeploy = null; // { ts, ok }
    this.pendingRevert = null;
    this.knownFiles = new Set();
    this.out = null;
    this.newTask(0, 0, true);
  }

  day() {
    return this.k;
  }

  phaseWeights() {
    const phases = PHASES[this.spec.name];
    let w = phases[0][1];
    for (const [from, weights] of phases) if (this.k >= from) w = weights;
    return w;
  }

  testNames(n) {
    const names = [];
    const files = this.catalog.unit ?? this.catalog.backend;
    for (let i = 0; i < n; i++) names.push(`${this.rng.pick(files).replace(/^.*\//, '').replace(/\.[^.]*$/, '')} › ${this.rng.pick(['rejects an expired token', 'rounds totals', 'retries on 503', 'keeps order', 'handles empty input', 'renders the empty state', 'syncs after reconnect', 'escapes user input'])}`);
    return names;
  }

  emit(type, ts, data) {
    this.out.push({ type, project: this.root, ts: Math.round(ts), data });
  }

  get branch() {
    return this.current?.branch ?? 'main';
  }

  newTask(ts, k, silent = false) {
    const rng = this.rng;
    const issue = `${this.spec.key}-${this.issueSeq++}`;
    const kind = rng.weighted([['feature', 70], ['fix', 22], ['chore', 8]]);
    const title = rng.pick(TASK_TITLES);
    const task = {
      branch: `${kind}/${issue}-${title}`,
      issue,
      title,
      kind,
      born: k,
      // most tasks take a few days; some drag on (long-lived branches)
      plannedDays: rng.chance(0.1) ? 15 + rng.int(0, 15) : 0.3 + rng.exp(2.5),
      tip: this.mainTip,
      commits: 0,
      touched: new Map(), // path → { added, removed } since the task began (for squash)
      dirty: new Map(), // path → { added, removed } since the last commit
      firstCommit: null,
    };
    this.tasks.push(task);
    if (!silent) {
      this.emit('git-monitor.branch.created', ts, { repo: this.root, branch: task.branch, hash: this.mainTip });
      this.checkout(task, ts + 1200);
    } else {
      this.current = task;
    }
    return task;
  }

  checkout(task, ts) {
    const from = this.branch;
    this.current = task;
    this.emit('git-monitor.branch.switched', ts, { repo: this.root, worktree: this.root, from, to: this.branch, hash: task ? task.tip : this.mainTip, detached: false });
  }

  // --- steps ---------------------------------------------------------------------------------
  step(ts) {
    const rng = this.rng;
    const spec = this.spec;
    const k = this.k;
    if (this.session && ts > this.session.plannedEnd) this.endSession();
    const testsOn = k >= (spec.test.from ?? 0);
    const weights = [
      ['edit', 82.5],
      ['rename', 0.1],
      ['bulk', 0.04],
      ['commit', 4.0],
      ['test', testsOn ? 3.1 : 0],
      ['build', k >= (spec.build.from ?? 0) ? 0.9 : 0],
      ['ai', this.session ? 19 : 0],
      ['switch', 0.3],
      ['finish', 0.3],
      ['deploy', k >= (spec.deploy.from ?? 0) ? 0.12 : 0],
    ];
    switch (rng.weighted(weights)) {
      case 'edit':
        return this.edit(ts);
      case 'rename':
        return this.rename(ts);
      case 'bulk':
        return this.bulk(ts);
      case 'commit':
        return this.commit(ts);
      case 'test':
        return this.testRun(ts);
      case 'build':
        return this.build(ts);
      case 'ai':
        return this.aiUpdate(ts);
      case 'switch':
        return this.switchTask(ts);
      case 'finish':
        return this.finishTask(ts);
      case 'deploy':
        return this.deploy(ts);
    }
  }

  pickPath() {
    const cat = this.rng.weighted(Object.entries(this.phaseWeights()));
    const files = this.catalog[cat] ?? this.catalog.other;
    // a task keeps editing a few files: half of the edits go back to what it already touched
    const t = this.current;
    if (t && t.dirty.size && this.rng.chance(0.55)) {
      const keys = [...t.dirty.keys()];
      return keys[Math.floor(this.rng.next() * keys.length)];
    }
    return this.rng.zipf(files);
  }

  edit(ts) {
    const rng = this.rng;
    const path = this.pickPath();
    const ext = extOf(path);
    const binary = BINARY.has(ext);
    const known = this.knownFiles.has(path);
    const kind = !known ? 'created' : rng.chance(0.015) ? 'deleted' : 'modified';
    if (kind === 'deleted') this.knownFiles.delete(path);
    else this.knownFiles.add(path);
    const added = binary || kind === 'deleted' ? null : Math.round(rng.lognormal(kind === 'created' ? 40 : 4, 0.9));
    const removed = binary || kind === 'deleted' ? null : kind === 'created' ? 0 : Math.round(rng.lognormal(2, 1));
    const lines = binary || kind === 'deleted' ? null : 40 + Math.round(rng.lognormal(120, 0.8));
    this.emit('file-monitor.file.changed', ts, {
      path,
      kind,
      language: LANG[ext] ?? null,
      ext: ext ? `.${ext}` : '',
      size: kind === 'deleted' ? null : binary ? 20_000 + rng.int(0, 400_000) : lines * 32,
      lines,
      linesAdded: added,
      linesRemoved: removed,
      binary,
      count: rng.chance(0.7) ? 1 : rng.int(2, 6),
    });
    const t = this.current;
    if (t && kind !== 'deleted') {
      const d = t.dirty.get(path) ?? { added: 0, removed: 0 };
      d.added += added ?? 0;
      d.removed += removed ?? 0;
      t.dirty.set(path, d);
    }
  }

  rename(ts) {
    const from = this.pickPath();
    const ext = extOf(from);
    const to = from.replace(/([^/]+)(\.[^./]+)$/, (_, b, e) => `${b}-${this.rng.int(2, 9)}${e}`);
    this.knownFiles.add(to);
    this.emit('file-monitor.file.renamed', ts, { from, to, language: LANG[ext] ?? null, ext: ext ? `.${ext}` : '', size: 3200, lines: 100, linesAdded: 0, linesRemoved: 0, count: 1, matchedBy: 'content' });
  }

  bulk(ts) {
    const rng = this.rng;
    const cat = rng.weighted(Object.entries(this.phaseWeights()));
    const files = this.catalog[cat] ?? this.catalog.other;
    const count = rng.int(40, 600);
    const sample = files.slice(0, 10).map((path) => ({ path, kind: 'modified' }));
    const dir = files[0].split('/').slice(0, 2).join('/');
    this.emit('file-monitor.files.bulk-changed', ts, { count, files: count, byKind: { created: Math.round(count * 0.3), modified: count - Math.round(count * 0.3), deleted: 0 }, topDirs: [{ dir, files: count }], sample, durationMs: rng.int(300, 4000) });
  }

  subjectFor(type, scope, task) {
    const verb = this.rng.pick(VERBS[type ?? 'chore'] ?? ['update']);
    const what = task ? task.title.replaceAll('-', ' ') : this.rng.pick(this.spec.scopes);
    return type ? `${type}${scope ? `(${scope})` : ''}: ${verb} ${what}` : `${verb[0].toUpperCase()}${verb.slice(1)} ${what}`;
  }

  commitData(ts, { subject, conventional, files, branch, parents, merge = false, issueKeys = [], trailers = [] }) {
    const list = [...files.entries()].map(([path, f]) => ({ path, added: BINARY.has(extOf(path)) ? null : f.added, removed: BINARY.has(extOf(path)) ? null : f.removed }));
    const shown = list.slice(0, 10);
    const stats = { files: list.length, added: list.reduce((s, f) => s + (f.added ?? 0), 0), removed: list.reduce((s, f) => s + (f.removed ?? 0), 0) };
    const at = new Date(ts).toISOString();
    const hash = this.rng.hex(40);
    const data = { repo: this.root, hash, parents, author: this.spec.dev, authoredAt: at, committedAt: at, subject, conventional, issueKeys, trailers, branch, files: shown, filesTruncated: list.length > shown.length, stats, merge, imported: false, rewrite: false };
    this.emit('git-monitor.commit.created', ts, data);
    return data;
  }

  commit(ts) {
    const rng = this.rng;
    const t = this.current;
    let files = t?.dirty;
    if (!files || files.size === 0) {
      files = new Map();
      for (let i = rng.int(1, 3); i > 0; i--) files.set(this.pickPath(), { added: rng.int(1, 30), removed: rng.int(0, 12) });
    }
    if (files.size > 14) files = new Map([...files.entries()].slice(0, 14)); // what is staged
    let type = rng.weighted(CONVENTIONAL);
    let subject;
    if (this.pendingRevert && ts - this.pendingRevert.ts < 20 * HOUR && rng.chance(0.5)) {
      subject = `Revert "${this.pendingRevert.subject}"`;
      type = 'revert';
      this.pendingRevert = null;
    }
    const scope = type && rng.chance(0.6) ? rng.pick(this.spec.scopes) : null;
    subject ??= this.subjectFor(type, scope, t);
    const withKey = t && rng.chance(0.5);
    if (withKey) subject += ` [${t.issue}]`;
    const ai = this.session && rng.chance(this.spec.ai) ? this.session : null;
    const trailers = ai && rng.chance(0.6) ? [{ key: 'Co-authored-by', value: ai.tool === 'claude' ? 'Claude <noreply@anthropic.com>' : 'Codex <codex@openai.com>' }] : [];
    const branch = this.branch;
    const data = this.commitData(ts, {
      subject,
      conventional: type && type !== 'revert' ? { type, scope, breaking: false } : type === 'revert' ? { type: 'revert', scope: null, breaking: false } : null,
      files,
      branch,
      parents: [t ? t.tip : this.mainTip],
      issueKeys: withKey || (t && rng.chance(0.3)) ? [t.issue] : [],
      trailers,
    });
    if (t) {
      t.tip = data.hash;
      t.commits++;
      t.firstCommit ??= ts;
      for (const [p, f] of files) {
        const acc = t.touched.get(p) ?? { added: 0, removed: 0 };
        acc.added += f.added;
        acc.removed += f.removed;
        t.touched.set(p, acc);
      }
      t.dirty = new Map();
    } else {
      this.mainTip = data.hash;
    }
    if (ai) {
      this.emit('ai-monitor.commit.attributed', ts + rng.int(2_000, 20_000), {
        hash: data.hash,
        repo: this.root,
        tools: [ai.tool],
        evidence: trailers.length ? ['trailer', 'session-overlap'] : ['session-overlap'],
        confidence: trailers.length ? 0.97 : Math.round((0.55 + rng.next() * 0.4) * 100) / 100,
        sessions: [`${ai.tool}:${ai.sessionId}`],
      });
    }
  }

  runData(ts, kind, cfg, extra) {
    const rng = this.rng;
    const slow = cfg.slow && this.k >= cfg.slow[0] && this.k <= cfg.slow[1] ? cfg.slow[2] : 1;
    const durationMs = Math.round(rng.lognormal(cfg.ms * slow, 0.12));
    const startedAt = new Date(ts - durationMs).toISOString();
    return {
      runId: this.rng.uuid(),
      command: cfg.command,
      kind,
      runner: kind === 'test' ? cfg.runner : null,
      exitCode: 0,
      signal: null,
      ok: true,
      durationMs,
      startedAt,
      passed: null,
      failed: null,
      skipped: null,
      failingTests: [],
      failingTestsTruncated: false,
      coverage: null,
      cwd: this.root,
      project: this.root,
      branch: kind === 'deploy' ? 'main' : this.branch,
      reports: [],
      error: null,
      ...extra,
    };
  }

  testRun(ts) {
    const rng = this.rng;
    const spec = this.spec;
    const e2e = spec.e2e && this.k >= (spec.e2e.from ?? 0) && rng.chance(0.15);
    const cfg = e2e ? spec.e2e : spec.test;
    this.tests += spec.test.growth * 0.05;
    let failing = [];
    if (this.red) {
      failing = this.red.failing;
      if (--this.red.left <= 0) this.red = null;
    } else if (rng.chance(0.1)) {
      failing = this.testNames(rng.int(1, 3));
      const left = rng.chance(0.15) ? rng.int(5, 12) : rng.int(0, 3);
      if (left) this.red = { failing, left };
    } else if (rng.chance(0.07)) {
      failing = [rng.pick(this.flaky)];
    }
    const total = Math.max(8, Math.round(e2e ? cfg.tests : this.tests));
    const failed = failing.length;
    const coverage = !e2e && spec.test.coverage !== null && rng.chance(0.35) ? this.coverageSample() : null;
    const reports = !e2e && rng.chance(0.08) ? ['reports/junit.xml'] : [];
    const data = this.runData(ts, 'test', cfg, {
      exitCode: failed ? 1 : 0,
      ok: failed === 0,
      passed: total - failed,
      failed,
      skipped: rng.int(0, 4),
      failingTests: failing,
      coverage,
      reports,
    });
    this.emit('test-monitor.run.finished', ts, data);
    if (reports.length) {
      this.emit('test-monitor.report.parsed', ts + 400, { file: 'reports/junit.xml', format: 'junit', counts: { passed: data.passed, failed, skipped: data.skipped, total: total + data.skipped }, failingTests: failing, failingTestsTruncated: false, coverage: null, modifiedAt: new Date(ts).toISOString(), hash: this.rng.hex(64) });
    }
  }

  coverageSample() {
    this.coverage = Math.max(20, Math.min(95, this.coverage + (this.rng.next() - 0.45) * 0.6));
    const c = Math.round(this.coverage * 10) / 10;
    return { lines: c, branches: Math.round((c - 8) * 10) / 10, functions: Math.round((c + 3) * 10) / 10, statements: c };
  }

  build(ts) {
    const ok = !this.rng.chance(0.06);
    const data = this.runData(ts, 'build', this.spec.build, { exitCode: ok ? 0 : 1, ok });
    this.emit('test-monitor.run.finished', ts, data);
    const { runId, command, exitCode, signal, durationMs, startedAt, cwd, project, branch } = data;
    this.emit('test-monitor.build.finished', ts + 1, { runId, command, exitCode, signal, ok, durationMs, startedAt, cwd, project, branch });
  }

  deploy(ts) {
    const rng = this.rng;
    // deploys follow merges; a failed one is retried soon
    if (this.sinceDeploy === 0 && !(this.lastDeploy && !this.lastDeploy.ok) && !rng.chance(0.15)) return this.edit(ts);
    const ok = !rng.chance(0.12);
    const data = this.runData(ts, 'deploy', this.spec.deploy, { exitCode: ok ? 0 : 1, ok });
    this.emit('test-monitor.run.finished', ts, data);
    const { runId, command, exitCode, signal, durationMs, startedAt, cwd, project, branch } = data;
    this.emit('test-monitor.deploy.finished', ts + 1, { runId, command, exitCode, signal, ok, durationMs, startedAt, cwd, project, branch });
    this.lastDeploy = { ts, ok };
    if (ok) {
      this.sinceDeploy = 0;
      if (rng.chance(0.1)) this.pendingRevert = { ts, subject: this.lastMergedSubject ?? 'feat: release' };
      if (rng.chance(0.45)) {
        this.release[2]++;
        if (rng.chance(0.2)) (this.release[1]++, (this.release[2] = 0));
        const tag = `v${this.release.join('.')}`;
        this.emit('git-monitor.tag.created', ts + 60_000, { repo: this.root, tag, hash: this.mainTip, annotated: true, message: `Release ${tag}`, taggedAt: new Date(ts + 60_000).toISOString(), replaced: null, imported: false });
      }
    }
  }

  switchTask(ts) {
    const open = this.tasks.filter((t) => t !== this.current);
    if (open.length && (this.tasks.length >= 3 || this.rng.chance(0.7))) return this.checkout(this.rng.pick(open), ts);
    return this.newTask(ts, this.k);
  }

  finishTask(ts) {
    const rng = this.rng;
    const t = this.current ?? this.tasks.find((x) => this.k - x.born >= x.plannedDays);
    if (!t) return this.edit(ts);
    if (this.k - t.born < t.plannedDays || t.commits === 0) return this.edit(ts);
    const pr = this.pr++;
    let at = ts;
    const next = () => (at += rng.int(5_000, 90_000));
    this.checkout(null, next());
    const kind = rng.weighted([['merge', 50], ['squash', 35], ['fast-forward', 15]]);
    let hash;
    let mergedHash = t.tip;
    let evidence = 'parents';
    let merged = true;
    if (kind === 'merge') {
      const data = this.commitData(next(), { subject: `Merge pull request #${pr} from acme/${t.branch}`, conventional: null, files: new Map(), branch: 'main', parents: [this.mainTip, t.tip], merge: true, issueKeys: [t.issue] });
      hash = data.hash;
      this.mainTip = hash;
    } else if (kind === 'squash') {
      const type = t.kind === 'fix' ? 'fix' : t.kind === 'chore' ? 'chore' : 'feat';
      const subject = `${type}: ${t.title.replaceAll('-', ' ')} [${t.issue}] (#${pr})`;
      const data = this.commitData(next(), { subject, conventional: { type, scope: null, breaking: false }, files: t.touched, branch: 'main', parents: [this.mainTip], issueKeys: [t.issue] });
      hash = data.hash;
      this.mainTip = hash;
      evidence = 'pr-suffix';
      mergedHash = null;
      merged = false;
      this.lastMergedSubject = subject;
    } else {
      hash = t.tip;
      this.mainTip = hash;
      evidence = 'reflog';
    }
    this.lastMergedSubject ??= `feat: ${t.title}`;
    this.emit('git-monitor.merge.detected', next(), { repo: this.root, hash, into: 'main', kind, evidence, mergedBranch: t.branch, mergedHash, pr: kind === 'fast-forward' ? null : pr, imported: false });
    this.emit('git-monitor.branch.deleted', next(), { repo: this.root, branch: t.branch, hash: t.tip, merged });
    this.tasks = this.tasks.filter((x) => x !== t);
    this.sinceDeploy++;
    if (rng.chance(0.85) || this.tasks.length === 0) this.newTask(next(), this.k);
    else this.checkout(rng.pick(this.tasks), next());
  }

  // --- AI sessions -----------------------------------------------------------------------------
  maybeStartSession(blockStart, blockEnd) {
    const rng = this.rng;
    if (this.session || !rng.chance(this.spec.ai * 0.9)) return null;
    const start = blockStart + rng.next() * Math.max(0, blockEnd - blockStart - 20 * MIN);
    const [tool, , model] = rng.next() < AI_TOOLS[0][1] ? AI_TOOLS[0] : AI_TOOLS[1];
    return { tool, model, start, plannedEnd: Math.min(blockEnd, start + 20 * MIN + rng.exp(60 * MIN)) };
  }

  startSession(plan, ts) {
    this.session = { ...plan, sessionId: this.rng.uuid(), startedAt: Math.round(ts), last: ts, activeMs: 0, prompts: 1, tools: { Read: 2, Edit: 0, Bash: 0, Grep: 1 }, input: 4_000, output: 600, cached: 12_000, branch: this.branch };
    this.sessionEvent('ai-monitor.session.updated', ts);
  }

  aiUpdate(ts) {
    const s = this.session;
    const rng = this.rng;
    s.activeMs += Math.round(Math.min(ts - s.last, 10 * MIN) * (0.4 + rng.next() * 0.5));
    s.last = ts;
    if (rng.chance(0.5)) s.prompts++;
    s.tools.Read += rng.int(0, 4);
    s.tools.Edit += rng.int(0, 3);
    s.tools.Bash += rng.int(0, 2);
    s.tools.Grep += rng.int(0, 2);
    s.input += rng.int(2_000, 30_000);
    s.output += rng.int(200, 4_000);
    s.cached += rng.int(5_000, 80_000);
    this.sessionEvent('ai-monitor.session.updated', ts);
  }

  endSession() {
    const s = this.session;
    this.sessionEvent('ai-monitor.session.ended', s.last + 1, 'idle');
    this.session = null;
  }

  sessionEvent(type, ts, reason) {
    const s = this.session;
    const toolCallsTotal = s.tools.Read + s.tools.Edit + s.tools.Bash + s.tools.Grep;
    const data = { tool: s.tool, sessionId: s.sessionId, project: this.root, branch: s.branch, model: s.model, models: [s.model], startedAt: s.startedAt, lastActivityAt: Math.round(s.last), activeMs: s.activeMs, prompts: s.prompts, toolCalls: { ...s.tools }, toolCallsTotal, tokens: { input: s.input, output: s.output, cached: s.cached } };
    if (reason) data.reason = reason;
    this.emit(type, ts, data);
  }

  /** Simulate day k's blocks; events go to `out`. */
  runDay(k, blocks, until, out) {
    this.k = k;
    this.out = out;
    for (const [start, end] of blocks) {
      const stop = Math.min(end, until);
      if (stop <= start) continue;
      const plan = this.maybeStartSession(start, end);
      let t = start + this.rng.exp(this.meanGap);
      for (; t < stop; t += this.rng.exp(this.meanGap)) {
        if (plan && !this.session && !plan.used && t >= plan.start) {
          plan.used = true;
          this.startSession(plan, t);
          continue;
        }
        this.step(t);
      }
      if (this.session && end <= until) this.endSession();
    }
  }
}

// Events per step, on average (compound steps write several): calibrates the mean gap.
const EVENTS_PER_STEP = 1.018;

/**
 * One array per day (all projects, sorted by ts). `events` is the size the whole `days`-day history
 * aims at (±1 %); the mean gap between steps follows from the work time the calendar gives.
 */
export function* history({ seed = 1, events = 1_000_000, days = 90, end }) {
  if (!Number.isFinite(end)) throw new Error('history: end (ms) is required, e.g. Date.now()');
  const cal = calendar(days, end);
  // The schedule first (its own PRNG), so the step rate can be calibrated to the size.
  const sched = new Rng(seed * 31 + 5);
  const blocks = PROJECT_SPECS.map(() => []);
  const work = PROJECT_SPECS.map(() => 0);
  for (let k = 0; k < days; k++) {
    for (let p = 0; p < PROJECT_SPECS.length; p++) {
      const b = blocksOf(sched, k, cal);
      blocks[p].push(b);
      for (const [s, e] of b) work[p] += Math.max(0, Math.min(e, end) - s);
    }
  }
  const sims = PROJECT_SPECS.map((spec, p) => new ProjectSim(spec, p, seed, (work[p] * EVENTS_PER_STEP) / (events * spec.share)));
  for (let k = 0; k < days; k++) {
    const out = [];
    for (let p = 0; p < sims.length; p++) sims[p].runDay(k, blocks[p][k], end, out);
    const day = out.map((e, i) => [e, i]);
    day.sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1]);
    yield day.map(([e]) => (e.ts > end ? { ...e, ts: end } : e));
  }
}

/** The first `limit` events of the history (all of it when limit is undefined), as one array. */
export function historyEvents(opts, limit = Infinity) {
  const all = [];
  for (const day of history(opts)) {
    for (const e of day) {
      if (all.length >= limit) return all;
      all.push(e);
    }
  }
  return all;
}

/** The monitor a type belongs to (its namespace): the stand-in source that emits it. */
export const sourceOf = (type) => type.slice(0, type.indexOf('.'));
export const SOURCES = ['file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor'];
