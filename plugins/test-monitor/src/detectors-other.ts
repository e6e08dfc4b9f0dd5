// Summaries of pytest, go test and cargo test.
import { int, SummaryTally, type Detector } from './detector.js';
import { BoundedNames } from './lines.js';
import type { TestCounts } from './types.js';

/** pytest: `==== 3 failed, 2 passed, 1 skipped in 0.58s ====` (or the bare `-q` form); `FAILED path::test - …`. */
export class Pytest implements Detector {
  readonly runner = 'pytest';
  readonly names: BoundedNames;
  private readonly summary = new SummaryTally();

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (first !== '=' && first !== 'n' && first !== 'F' && first !== 'E' && !(first >= '0' && first <= '9') && !line.includes('::')) return;
    const s = /^=*\s*((?:\d+ (?:failed|passed|skipped|deselected|xfailed|xpassed|errors?|warnings?|rerun)(?:, )?)+) in [\d.]+s(?: \([^)]*\))?\s*=*\s*$/.exec(line);
    if (s) {
      this.summary.add(s[1] as string);
      return;
    }
    if (/^=*\s*no tests ran in [\d.]+s/.test(line)) {
      this.summary.touch();
      return;
    }
    const f = /^(?:FAILED|ERROR) (\S+::\S.*?)(?: - .*)?$/.exec(line) ?? /^(\S+::\S+) (?:FAILED|ERROR)\b/.exec(line);
    if (f) this.names.add(f[1] as string);
  }

  counts(): TestCounts | null {
    const s = this.summary;
    if (!s.seen) return null;
    return { passed: s.get('passed', 'xpassed'), failed: s.get('failed', 'error', 'errors'), skipped: s.get('skipped', 'xfailed') };
  }
}

/** go test: `--- FAIL: TestX (0.00s)`, `ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`, and `go test -json` lines. */
export class GoTest implements Detector {
  readonly runner = 'go';
  readonly names: BoundedNames;
  private seen = false;
  private readonly n = { passed: 0, failed: 0, skipped: 0 };
  private json = false;

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (first === '{') {
      if (line.startsWith('{') && line.includes('"Action"')) this.jsonLine(line);
      return;
    }
    if (this.json) return;
    // Package lines (`ok  \tpkg\t0.1s`, `FAIL\tpkg\t…`, `?   \tpkg\t[no test files]`) always hold a tab.
    if (first === 'o' || first === 'F' || first === '?') {
      if (line.includes('\t') && /^(?:ok|FAIL|\?)\s*\t\S+\t/.test(line)) this.seen = true;
      return;
    }
    if (first !== '-') return;
    const t = /^\s*--- (PASS|FAIL|SKIP): (\S+)/.exec(line);
    if (t) {
      this.seen = true;
      if (t[1] === 'PASS') this.n.passed++;
      else if (t[1] === 'SKIP') this.n.skipped++;
      else (this.n.failed++, this.names.add(t[2] as string));
    }
  }

  private jsonLine(line: string): void {
    let e: { Action?: unknown; Test?: unknown };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      return;
    }
    if (typeof e !== 'object' || e === null || typeof e.Action !== 'string') return;
    this.json = this.seen = true;
    if (typeof e.Test !== 'string') return;
    if (e.Action === 'pass') this.n.passed++;
    else if (e.Action === 'skip') this.n.skipped++;
    else if (e.Action === 'fail') (this.n.failed++, this.names.add(e.Test));
  }

  counts(): TestCounts | null {
    if (!this.seen) return null;
    // Without -v (or -json) passing tests are not listed: passes are then unknown.
    const listed = this.json || this.n.passed + this.n.skipped > 0;
    return { passed: listed ? this.n.passed : null, failed: this.n.failed, skipped: listed ? this.n.skipped : null };
  }
}

/** cargo test: `test result: FAILED. 1 passed; 1 failed; 1 ignored; …` per test binary; `test x ... FAILED`. */
export class Cargo implements Detector {
  readonly runner = 'cargo';
  readonly names: BoundedNames;
  private n: { passed: number; failed: number; skipped: number } | undefined;

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (first !== 't') return;
    const s = /^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;/.exec(line);
    if (s) {
      this.n ??= { passed: 0, failed: 0, skipped: 0 };
      this.n.passed += int(s[1]);
      this.n.failed += int(s[2]);
      this.n.skipped += int(s[3]);
      return;
    }
    const f = /^test (\S+) \.\.\. FAILED\s*$/.exec(line);
    if (f) this.names.add(f[1] as string);
  }

  counts(): TestCounts | null {
    return this.n ? { ...this.n } : null;
  }
}

