import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from '@devflow/plugin-sdk';
import type { ToolResult } from '../tools/tool-registry.js';

/** Largest result handed to an assistant; tools should stay far below it (page instead). */
export const MAX_RESULT_BYTES = 256 * 1024;

/** Longest error text handed back: messages may quote an argument, and arguments can be huge. */
export const MAX_ERROR_CHARS = 4096;

/**
 * A kernel tool result as an MCP `CallToolResult`: `structuredContent` plus the same JSON as text
 * (clients that ignore structured content still get it), or an `isError` result whose text names
 * the error code and what went wrong, so the model can correct itself.
 */
export function toCallToolResult(result: ToolResult, tool: Pick<ToolDefinition, 'outputSchema' | 'render'>): CallToolResult {
  if (!result.ok) {
    const issues = result.error.issues?.length ? `\n${result.error.issues.map((i) => `- ${i.path}: ${i.message}`).join('\n')}` : '';
    const text = `${result.error.code}: ${result.error.message}${issues}`;
    const cut = text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}… (cut; ${text.length} characters in all)` : text;
    return { isError: true, content: [{ type: 'text', text: cut }] };
  }
  const value = result.value === undefined ? {} : result.value;
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > MAX_RESULT_BYTES) {
    return {
      isError: true,
      content: [{ type: 'text', text: `KRN_ERR_TOOL_FAILED: the result is ${Math.round(Buffer.byteLength(text) / 1024)} KB, more than the ${MAX_RESULT_BYTES / 1024} KB an assistant is given; narrow the query or page through it` }],
    };
  }
  const structured = typeof value === 'object' && value !== null && !Array.isArray(value);
  return {
    content: [{ type: 'text', text: rendered(tool, value) ?? text }],
    ...(tool.outputSchema && structured ? { structuredContent: value as Record<string, unknown> } : {}),
  };
}

/** The tool's own text rendering, when it has one that works. */
function rendered(tool: Pick<ToolDefinition, 'render'>, value: unknown): string | undefined {
  if (!tool.render) return undefined;
  try {
    const text = tool.render(value as never);
    return typeof text === 'string' && text.length <= MAX_RESULT_BYTES ? text : undefined;
  } catch {
    return undefined; // the JSON is still a faithful rendering
  }
}
