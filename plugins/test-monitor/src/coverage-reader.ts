import { pct, type Coverage } from './types.js';

/**
 * Coverage summaries printed by runners: istanbul's text table (`All files | 85.7 | 50 | 100 | 85.7`,
 * jest, vitest, c8, nyc), node:test's (`all files | 90.00 | 100.00 | 66.67`), `go test -cover`
 * (`coverage: 85.2% of statements`, averaged over packages) and coverage.py's `TOTAL … 85%`.
 */
export class CoverageReader {
  private istanbulColumns: string[] | undefined;
  private nodeColumns: string[] | undefined;
  private found: Coverage | undefined;
  private readonly go: number[] = [];
  private goPending: number | undefined;

  line(line: string, first: string): void {
    const pipe = line.includes('|');
    if (!pipe && first !== 'o' && first !== 'F' && first !== 'c' && first !== 'T') return;
    if (pipe) {
      const cells = line.split('|').map((c) => c.trim());
      const label = (cells[0] ?? '').replace(/^[ℹ#]\s*/, '');
      if (/^File$/i.test(label) && cells.some((c) => c === '% Stmts')) {
        this.istanbulColumns = cells;
        return;
      }
      if (label === 'file' && cells.some((c) => c === 'line %')) {
        this.nodeColumns = cells;
        return;
      }
      if (label === 'All files' && this.istanbulColumns) {
        const col = (name: string) => pct(cells[(this.istanbulColumns as string[]).indexOf(name)]);
        this.found = { statements: col('% Stmts'), branches: col('% Branch'), functions: col('% Funcs'), lines: col('% Lines') };
        return;
      }
      if (label === 'all files' && this.nodeColumns) {
        const col = (name: string) => pct(cells[(this.nodeColumns as string[]).indexOf(name)]);
        this.found = { lines: col('line %'), branches: col('branch %'), functions: col('funcs %'), statements: null };
        return;
      }
    }
    // go prints a package's coverage on its own line and again on its `ok` line (not on `FAIL`): one per package.
    if ((first === 'o' || first === 'F') && !line.includes('\t')) return;
    const go = line.includes('coverage: ') ? /\bcoverage: (\d+(?:\.\d+)?)% of statements/.exec(line) : null;
    if ((first === 'o' || first === 'F') && /^(?:ok|FAIL)\s*\t\S+\t/.test(line)) {
      const value = go ? Number(go[1]) : this.goPending;
      if (value !== undefined) this.go.push(value);
      this.goPending = undefined;
      return;
    }
    if (go) {
      this.goPending = Number(go[1]);
      return;
    }
    if (first !== 'T') return;
    const py = /^TOTAL\s+\d+\s+\d+(?:\s+\d+\s+\d+)?\s+(\d+(?:\.\d+)?)%\s*$/.exec(line);
    if (py) this.found = { lines: null, branches: null, functions: null, statements: pct(py[1]) };
  }

  result(): Coverage | null {
    if (this.goPending !== undefined) (this.go.push(this.goPending), (this.goPending = undefined));
    if (this.found) return this.found;
    if (this.go.length) return { lines: null, branches: null, functions: null, statements: pct(this.go.reduce((a, b) => a + b, 0) / this.go.length) };
    return null;
  }
}

