/** Token counts in one shape for every tool: fresh input, output (with reasoning), cache reads. */
export interface Usage {
  input: number;
  output: number;
  cached: number;
}

/**
 * What one transcript record says, reduced to counts, names and times. Parsers never copy prompt,
 * response or file text into it: only ids (to count each thing once), tool names and numbers.
 */
export interface RecordFacts {
  /** When the record was written (ms); null when it has no usable timestamp. */
  ts: number | null;
  sessionId?: string;
  cwd?: string;
  /** Gemini CLI: SHA-256 of the project root (its transcripts carry no cwd). */
  projectHash?: string;
  branch?: string;
  model?: string;
  /** A prompt typed by the person; the id counts it once. */
  promptId?: string;
  toolCalls?: { id: string; name: string }[];
  /** Usage of one model response, counted once per id (later copies add only what grew). */
  usage?: { id: string; usage: Usage };
  /** Codex: running totals for the whole session. */
  cumulative?: Usage;
  /** The transcript says the session ended (e.g. an /exit command). */
  ended?: boolean;
}

/** One record: facts, a known record type that carries nothing to count, or something malformed. */
export type ParseResult = { kind: 'facts'; facts: RecordFacts } | { kind: 'ignored' } | { kind: 'invalid'; reason: string };

/**
 * State a JSONL parser carries from one record to the next within a file (Codex writes the
 * session id and cwd once, at the top). Persisted with the file's offset.
 */
export interface FileContext {
  sessionId?: string;
  cwd?: string;
  branch?: string;
  model?: string;
  /** Codex prompts have no id: timestamp plus an ordinal among prompts with that timestamp. */
  lastPromptTs?: string;
  promptOrdinal?: number;
}

export type LineParser = (record: unknown, ctx: FileContext) => ParseResult;
