import type { BigIntStats } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { applyFacts, newSession, type SessionState, type UnitLedger } from './aggregate.js';
import type { TranscriptTool } from './config.js';
import { LAYOUTS, discover, listDir } from './discovery.js';
import { parseClaudeRecord } from './parsers/claude.js';
import { codexSessionFromName, parseCodexRecord } from './parsers/codex.js';
import { parseGeminiSession } from './parsers/gemini.js';
import { parseQwenRecord } from './parsers/qwen.js';
import type { FileContext, LineParser, RecordFacts } from './parsers/types.js';
import { geminiProjectHash, type ProjectMatcher } from './paths.js';
import { sessionEvent, type SessionEventData } from './session-events.js';
import type { FileRow, SessionStore } from './session-store.js';
import { isCompleteJsonObject, readNewLines } from './tailer.js';

const PARSERS: Record<Exclude<TranscriptTool, 'gemini'>, LineParser> = { claude: parseClaudeRecord, codex: parseCodexRecord, qwen: parseQwenRecord };
const DAY_MS = 86_400_000;
const STAT_BATCH = 64;
/** Records (plus one per file) folded per transaction at most. */
const WRITE_BATCH = 20_000;

export interface MonitorSettings {
  activeGapCapMs: number;
  sessionIdleMs: number;
  updateThrottleMs: number;
  maxAgeDays: number;
  maxLineBytes: number;
  /** Bytes of transcript read per poll at most (the rest continues on the next poll). */
  pollBudgetBytes: number;
  maxJsonBytes: number;
}

export interface MonitorDeps {
  sources: readonly { tool: TranscriptTool; roots: readonly string[] }[];
  store: SessionStore;
  matcher: ProjectMatcher;
  settings: MonitorSettings;
  emit: (type: 'session.updated' | 'session.ended', data: SessionEventData, project: string | null, ts: number) => Promise<unknown>;
  /** A rate-limited warning about one file. */
  warn: (path: string, fields: Record<string, unknown>, message: string) => void;
  debug: (fields: Record<string, unknown>, message: string) => void;
  now: () => number;
}

export interface PollReport {
  files: number;
  read: number;
  records: number;
  bad: number;
  updated: number;
  ended: number;
}

interface Known {
  tool: TranscriptTool;
  mtimeMs: number;
  /** inode:size:mtime when the file was last found fully read (skips the database lookup). */
  seen?: string;
}

/**
 * Reads AI tools' transcripts incrementally and keeps per-session totals. `poll` checks recently
 * active files (and their directories, for new sessions); `poll({ full: true })` walks every root.
 * Each file's new records are folded into their sessions in one transaction with its new offset,
 * so a restart continues exactly where the last commit left off.
 */
export class TranscriptMonitor {
  private readonly known = new Map<string, Known>();
  /** Files with more to read than one poll's budget allowed. */
  private readonly pending = new Map<string, TranscriptTool>();
  /** Sessions of files read only in part: their events wait until the whole backlog is in. */
  private readonly partial = new Map<string, Set<string>>();
  /** Gemini files that failed to parse once, by signature (a second failure unchanged is reported). */
  private readonly suspect = new Map<string, string>();
  private walked = false;
  private writes: (() => void)[] = [];
  private queuedFacts = 0;
  /** Totals over every poll of this monitor (for status and tests). */
  readonly totals: PollReport = { files: 0, read: 0, records: 0, bad: 0, updated: 0, ended: 0 };

  constructor(private readonly d: MonitorDeps) {}

  /**
   * `full`: walk every root; otherwise the recently active files. `project`: also the transcript
   * directories of that directory tree (to see a session that started there moments ago).
   */
  async poll(options: { full?: boolean; project?: string } = {}): Promise<PollReport> {
    const report: PollReport = { files: 0, read: 0, records: 0, bad: 0, updated: 0, ended: 0 };
    const now = this.d.now();
    const candidates = options.full || !this.walked ? await this.walk() : await this.hot(now);
    if (options.project && !options.full) for (const [path, tool] of await this.around(options.project, now)) candidates.set(path, tool);
    let budget = this.d.settings.pollBudgetBytes;
    const list = [...candidates];
    // stat in parallel batches (one stat per file is most of an idle poll), then read one by one.
    for (let i = 0; i < list.length; i += STAT_BATCH) {
      const batch = list.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map(([path]) => stat(path, { bigint: true }).catch((e: unknown) => e as Error)));
      for (const [j, [path, tool]] of batch.entries()) {
        report.files++;
        if (budget <= 0) {
          this.pending.set(path, tool);
          continue;
        }
        try {
          budget -= await this.check(path, tool, stats[j]!, now, report, budget);
        } catch (e) {
          this.fileError(path, tool, e);
        }
      }
    }
    this.flush();
    await this.emitDue(report);
    for (const k of Object.keys(report) as (keyof PollReport)[]) this.totals[k] += report[k];
    return report;
  }

  private async walk(): Promise<Map<string, TranscriptTool>> {
    const found = new Map<string, TranscriptTool>();
    for (const { tool, roots } of this.d.sources) {
      for (const root of roots) {
        const files = await discover(tool, root, (p, e) => this.d.warn(p, { tool, path: p, err: errText(e) }, `cannot list transcript directory ${p}; check its permissions`));
        for (const f of files) found.set(f, tool);
      }
    }
    for (const path of this.known.keys()) if (!found.has(path)) this.forget(path);
    this.walked = true;
    return found;
  }

  /** A transcript that is gone (deleted by its tool's retention, or moved): its sessions stay. */
  private forget(path: string): void {
    this.known.delete(path);
    this.pending.delete(path);
    this.partial.delete(path);
    this.suspect.delete(path);
    this.d.store.deleteFile(path);
  }

  /** Files written within the idle window, new files next to them, and unfinished reads. */
  private async hot(now: number): Promise<Map<string, TranscriptTool>> {
    const out = new Map<string, TranscriptTool>();
    const dirs = new Map<string, TranscriptTool>();
    for (const [path, k] of this.known) {
      if (now - k.mtimeMs <= this.d.settings.sessionIdleMs) (out.set(path, k.tool), dirs.set(dirname(path), k.tool));
    }
    for (const [path, tool] of this.pending) out.set(path, tool);
    for (const [dir, tool] of dirs) for (const f of await listDir(tool, dir)) if (!out.has(f)) out.set(f, tool);
    return out;
  }

  /** Transcript files of sessions started in `dir` or below it, found without walking everything. */
  private async around(dir: string, now: number): Promise<Map<string, TranscriptTool>> {
    const out = new Map<string, TranscriptTool>();
    const slug = dir.replace(/[^a-zA-Z0-9]/g, '-');
    for (const { tool, roots } of this.d.sources) {
      for (const root of roots) {
        let dirs: string[] = [];
        if (tool === 'claude' || tool === 'qwen') {
          const names = await readdir(root).catch(() => [] as string[]);
          dirs = names.filter((n) => n === slug || n.startsWith(`${slug}-`)).map((n) => (tool === 'qwen' ? join(root, n, 'chats') : join(root, n)));
        } else if (tool === 'gemini') dirs = [join(root, geminiProjectHash(dir), 'chats')];
        else dirs = [now, now - DAY_MS].map((t) => join(root, ...dayDir(new Date(t))));
        for (const d of dirs) for (const f of await listDir(tool, d)) out.set(f, tool);
      }
    }
    return out;
  }

  /** Stat one file and read what is new; returns the bytes read. */
  private async check(path: string, tool: TranscriptTool, st: BigIntStats | Error, now: number, report: PollReport, budget: number): Promise<number> {
    if (st instanceof Error) {
      if ((st as NodeJS.ErrnoException).code !== 'ENOENT') throw st;
      this.forget(path);
      return 0;
    }
    const mtimeMs = Number(st.mtimeMs);
    const ino = String(st.ino);
    const size = Number(st.size);
    const sig = `${ino}:${size}:${Math.floor(mtimeMs)}`;
    const pending = this.pending.has(path);
    if (this.known.get(path)?.seen === sig && !pending) return 0;
    const known: Known = { tool, mtimeMs };
    this.known.set(path, known);
    const row = this.d.store.file(path);
    if (!row && mtimeMs < now - this.d.settings.maxAgeDays * DAY_MS) return ((known.seen = sig), 0);
    if (row && row.ino === ino && row.size === size && row.mtimeMs === Math.floor(mtimeMs) && !pending) return ((known.seen = sig), 0);
    this.pending.delete(path);
    report.read++;
    return LAYOUTS[tool].json ? this.readJson(path, { ino, size, mtimeMs }, row, now, report) : this.readJsonl(path, tool as Exclude<TranscriptTool, 'gemini'>, { ino, size, mtimeMs }, row, now, report, budget);
  }

  private async readJsonl(
    path: string,
    tool: Exclude<TranscriptTool, 'gemini'>,
    stat: { ino: string; size: number; mtimeMs: number },
    row: FileRow | undefined,
    now: number,
    report: PollReport,
    budget: number,
  ): Promise<number> {
    const prev = row ? { ino: row.ino, offset: row.offset, skipping: row.context.skipping ?? false } : undefined;
    const { skipping: _skip, ...kept } = row?.context ?? {};
    const fallbackSession = tool === 'codex' ? (codexSessionFromName(path) ?? stem(path)) : stem(path);
    let ctx: FileContext = { sessionId: fallbackSession, ...kept };
    const facts: RecordFacts[] = [];
    let bad = 0;
    let firstBad: string | undefined;
    const parse = PARSERS[tool];
    const onLine = (line: string) => {
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        bad++;
        firstBad ??= 'a line is not JSON';
        return;
      }
      const res = parse(rec, ctx);
      if (res.kind === 'facts') facts.push(res.facts);
      else if (res.kind === 'invalid') (bad++, (firstBad ??= res.reason));
    };
    const onReset = () => {
      // Replaced or truncated: the parser context starts over with the file.
      ctx = { sessionId: fallbackSession };
      this.d.debug({ path, tool }, 'transcript was replaced or truncated; reading it again from the start (counted ids are not counted twice)');
    };
    const r = await readNewLines(path, prev, { maxBytes: budget, maxLineBytes: this.d.settings.maxLineBytes, isComplete: isCompleteJsonObject, onLine, onReset, stat });
    if (r.skipped) (bad += r.skipped), (firstBad ??= `a line is longer than maxLineBytes (${this.d.settings.maxLineBytes})`);
    report.records += facts.length;
    report.bad += bad;
    const badRecords = (r.reset ? 0 : (row?.badRecords ?? 0)) + bad;
    this.queue(facts.length, () => {
      const keys = this.fold(tool, facts, now);
      if (r.more) this.partial.set(path, new Set([...(this.partial.get(path) ?? []), ...keys]));
      else this.partial.delete(path);
      this.d.store.putFile({ path, tool, ino: r.ino, size: r.size, mtimeMs: r.mtimeMs, offset: r.offset, context: { ...ctx, ...(r.skipping ? { skipping: true } : {}) }, badRecords }, now);
    });
    if (r.more) this.pending.set(path, tool);
    if (bad) this.badRecords(path, tool, bad, badRecords, firstBad);
    return Math.max(0, r.offset - (r.reset ? 0 : (prev?.offset ?? 0)));
  }

  private async readJson(path: string, st: { ino: string; size: number; mtimeMs: number }, row: FileRow | undefined, now: number, report: PollReport): Promise<number> {
    // The signature is the one stat'ed before reading: a rewrite during the read changes it, and the
    // file is read again on the next poll.
    const size = st.size;
    const base = { path, tool: 'gemini', ino: st.ino, size, mtimeMs: st.mtimeMs, offset: size, context: {}, badRecords: row?.badRecords ?? 0 };
    if (size > this.d.settings.maxJsonBytes) {
      this.d.store.putFile(base, now);
      this.badRecords(path, 'gemini', 1, base.badRecords + 1, `the session file is larger than ${this.d.settings.maxJsonBytes} bytes`);
      return 0;
    }
    const text = await readFile(path, 'utf8');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      // Gemini rewrites the file in place: a read can catch it half written. Read it again on the
      // next poll; only a file that stays broken without changing is reported (and then left alone
      // until it changes).
      const sig = `${st.ino}:${size}:${Math.floor(st.mtimeMs)}`;
      if (this.suspect.get(path) !== sig) {
        this.suspect.set(path, sig);
        this.pending.set(path, 'gemini');
        return size;
      }
      this.suspect.delete(path);
      this.d.store.putFile({ ...base, badRecords: base.badRecords + 1 }, now);
      report.bad++;
      this.badRecords(path, 'gemini', 1, base.badRecords + 1, 'the session file is not valid JSON; it is read again when it changes');
      return size;
    }
    this.suspect.delete(path);
    const session = parseGeminiSession(doc, stem(path));
    if (typeof session === 'string') {
      this.d.store.putFile({ ...base, badRecords: base.badRecords + 1 }, now);
      report.bad++;
      this.badRecords(path, 'gemini', 1, base.badRecords + 1, session);
      return size;
    }
    report.records += session.facts.length;
    report.bad += session.invalid;
    this.queue(session.facts.length, () => {
      this.fold('gemini', session.facts, now);
      this.d.store.putFile({ ...base, context: { sessionId: session.sessionId }, badRecords: base.badRecords + session.invalid }, now);
    });
    if (session.invalid) this.badRecords(path, 'gemini', session.invalid, base.badRecords + session.invalid, 'some messages are not objects with a "type"');
    return size;
  }

  /**
   * Queue one file's writes (its facts folded into sessions, its new offset). Many small files
   * share one transaction; each file's facts and offset always commit together.
   */
  private queue(facts: number, write: () => void): void {
    this.writes.push(write);
    this.queuedFacts += facts + 1;
    if (this.queuedFacts >= WRITE_BATCH) this.flush();
  }

  private flush(): void {
    if (!this.writes.length) return;
    const writes = this.writes;
    this.writes = [];
    this.queuedFacts = 0;
    try {
      this.d.store.transaction(() => {
        for (const w of writes) w();
      });
    } catch (e) {
      // Nothing of the batch was saved (offsets included): those files are read again next poll.
      this.pending.clear();
      this.known.clear();
      this.walked = false;
      this.d.warn('database', { err: errText(e), files: writes.length }, `could not save transcript totals (${errText(e)}); the ${writes.length} file(s) are read again on the next poll`);
    }
  }

  /** Fold facts into their sessions (inside the caller's transaction). */
  private fold(tool: TranscriptTool, facts: readonly RecordFacts[], now: number): Set<string> {
    const touched = new Map<string, { s: SessionState; units: UnitLedger }>();
    const changed = new Set<string>();
    for (const f of facts) {
      if (!f.sessionId) continue;
      const key = `${tool}:${f.sessionId}`;
      let t = touched.get(key);
      if (!t) {
        t = { s: this.d.store.session(key) ?? newSession(key, tool, f.sessionId), units: this.d.store.ledger(key) };
        touched.set(key, t);
      }
      if (applyFacts(t.s, f, t.units, this.d.settings.activeGapCapMs)) changed.add(key);
    }
    for (const key of changed) {
      const { s } = touched.get(key)!;
      this.d.store.putSession(s, this.d.matcher.resolve(s.cwd, s.projectHash), now);
    }
    return new Set(touched.keys());
  }

  /** Emit session.updated (throttled) and session.ended (idle or said so) for pending sessions. */
  private async emitDue(report: PollReport): Promise<void> {
    const { sessionIdleMs, updateThrottleMs } = this.d.settings;
    const now = this.d.now();
    const work: Promise<unknown>[] = [];
    const done: [key: string, updatedAt: number, reason: string | null][] = [];
    const waiting = new Set([...this.partial.values()].flatMap((k) => [...k]));
    for (const s of this.d.store.pending()) {
      if (waiting.has(s.key)) continue;
      const idle = now - (s.lastAt ?? s.updatedAt) >= sessionIdleMs;
      const project = this.d.matcher.resolve(s.cwd, s.projectHash);
      const ts = s.lastAt ?? s.updatedAt;
      if (s.transcriptEnded || idle) {
        if (s.endedReason !== null && !s.dirty) continue;
        const reason = s.transcriptEnded ? 'transcript' : 'idle';
        report.ended++;
        work.push(this.d.emit('session.ended', sessionEvent(s, project, reason), project, ts).then(() => done.push([s.key, s.updatedAt, reason])));
      } else if (s.dirty && (s.endedReason !== null || s.emittedAt === null || now - s.emittedAt >= updateThrottleMs)) {
        // (a session that ended and has new records is announced at once: it resumed)
        report.updated++;
        work.push(this.d.emit('session.updated', sessionEvent(s, project, null), project, ts).then(() => done.push([s.key, s.updatedAt, null])));
      }
    }
    // Marked only once the events are stored: a crash in between re-emits rather than loses them.
    await Promise.all(work);
    if (done.length) this.d.store.transaction(() => done.forEach(([key, updatedAt, reason]) => this.d.store.markEmitted(key, updatedAt, now, reason)));
  }

  private badRecords(path: string, tool: string, count: number, total: number, reason: string | undefined): void {
    this.d.warn(
      path,
      { tool, path, skipped: count, totalSkipped: total, reason },
      `skipped ${count} unreadable record(s) in ${tool} transcript ${path} (${reason ?? 'malformed'}); the rest is counted. If this persists, the tool may have changed its format: disable it with sources.${tool}.enabled = false and report it`,
    );
  }

  private fileError(path: string, tool: string, e: unknown): void {
    this.d.warn(path, { tool, path, err: errText(e) }, `cannot read ${tool} transcript ${path}: ${errText(e)}; it is retried on the next poll (check its permissions)`);
  }
}

/** Codex's day directory (local date): YYYY, MM, DD. */
function dayDir(d: Date): string[] {
  return [String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')];
}

function stem(path: string): string {
  return basename(path).replace(/\.jsonl?$/, '');
}

function errText(e: unknown): string {
  return e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
}
