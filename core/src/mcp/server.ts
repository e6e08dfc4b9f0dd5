import type { Principal, PromptMessages, ResourceContent } from '@devflow/plugin-sdk';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode as RpcError,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Kernel } from '../kernel.js';
import { KERNEL_VERSION } from '../version.js';
import { selectTools, type ProfileSpec } from './profiles.js';
import { toCallToolResult } from './render.js';

export interface McpSessionOptions {
  principal: Principal;
  profile: ProfileSpec;
  /** Called after each answered `tools/list` (the CLI starts the watchers after the first). */
  onToolsListed?: () => void;
}

const INSTRUCTIONS =
  'DevFlow Monitor records how software gets made on this machine (file edits, git, test runs, AI sessions, builds, deploys) ' +
  'and answers questions about it. Start with devflow_status when data seems missing. Results are JSON; page with cursors instead of asking for everything.';

/**
 * One MCP server session over the kernel: lists and calls the tools, resources and prompts of the
 * started plugins as the session's principal, and tells the client when those lists change.
 */
export function createMcpServer(kernel: Kernel, options: McpSessionOptions): { server: Server; close(): void } {
  const { principal } = options;
  const server = new Server(
    { name: 'devflow', title: 'DevFlow Monitor', version: KERNEL_VERSION },
    {
      capabilities: { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true }, logging: {} },
      instructions: INSTRUCTIONS,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => {
    const visible = kernel.tools.list().filter((t) => kernel.rbac.can(principal, t.permission));
    const tools: Tool[] = selectTools(visible, options.profile).map((t) => ({
      name: t.name,
      ...(t.title ? { title: t.title } : {}),
      description: t.description,
      inputSchema: t.inputSchema as Tool['inputSchema'],
      ...(t.outputSchema ? { outputSchema: t.outputSchema as Tool['outputSchema'] } : {}),
      annotations: { ...(t.title ? { title: t.title } : {}), ...t.annotations },
    }));
    if (options.onToolsListed) setImmediate(options.onToolsListed);
    return { tools };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const info = kernel.tools.get(name);
    if (!info) {
      await kernel.callTool(name, args ?? {}, principal); // audited as a call to a missing tool
      throw new McpError(RpcError.InvalidParams, `Unknown tool: ${name}`);
    }
    const token = request.params._meta?.progressToken;
    const result = await kernel.callTool(name, args ?? {}, principal, {
      signal: extra.signal,
      argsOwned: true, // parsed from this request alone
      ...(token !== undefined
        ? { onProgress: (p) => void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...p } }).catch(() => {}) }
        : {}),
    });
    return toCallToolResult(result, info);
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: kernel.resources.list(principal).map((r) => ({
      uri: r.uri,
      name: r.name,
      ...(r.title ? { title: r.title } : {}),
      description: r.description,
      mimeType: r.mimeType ?? 'application/json',
    })),
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params;
    const r = await kernel.resources.call(uri, principal, extra.signal, async (read, ctx) => read(ctx) as Promise<ResourceContent>);
    if (!r.ok) throw new McpError(r.error.code === 'KRN_ERR_TOOL_NOT_FOUND' ? -32002 : RpcError.InvalidRequest, r.error.message, { uri, code: r.error.code });
    const def = kernel.resources.list(principal).find((x) => x.uri === uri);
    const text = 'text' in r.value ? r.value.text : JSON.stringify(r.value.json);
    return { contents: [{ uri, mimeType: def?.mimeType ?? ('text' in r.value ? 'text/plain' : 'application/json'), text }] };
  });

  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: kernel.prompts.list(principal).map((p) => ({
      name: p.name,
      ...(p.title ? { title: p.title } : {}),
      description: p.description,
      arguments: (p.arguments ?? []).map((a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), required: a.required ?? false })),
    })),
  }));

  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    const def = kernel.prompts.list(principal).find((p) => p.name === name);
    const missing = (def?.arguments ?? []).filter((a) => a.required && !(a.name in args)).map((a) => a.name);
    if (missing.length) throw new McpError(RpcError.InvalidParams, `prompt "${name}" needs argument(s): ${missing.join(', ')}`);
    const r = await kernel.prompts.call(name, principal, extra.signal, async (build, ctx) => build(args, ctx) as Promise<PromptMessages>);
    if (!r.ok) throw new McpError(RpcError.InvalidParams, r.error.message, { code: r.error.code });
    const messages = typeof r.value === 'string' ? [{ role: 'user' as const, text: r.value }] : r.value;
    return {
      ...(def ? { description: def.description } : {}),
      messages: messages.map((m) => ({ role: m.role, content: { type: 'text' as const, text: m.text } })),
    };
  });

  // Tell the client when plugins come and go; coalesce bursts (a reload stops and starts many).
  const pending = new Set<'tools' | 'resources' | 'prompts'>();
  let timer: NodeJS.Timeout | undefined;
  const notify = (what: 'tools' | 'resources' | 'prompts') => () => {
    pending.add(what);
    timer ??= setTimeout(() => {
      timer = undefined;
      const send = { tools: () => server.sendToolListChanged(), resources: () => server.sendResourceListChanged(), prompts: () => server.sendPromptListChanged() };
      for (const w of pending) void send[w]().catch(() => {});
      pending.clear();
    }, 50);
  };
  const subs = [kernel.tools.onChange(notify('tools')), kernel.resources.onChange(notify('resources')), kernel.prompts.onChange(notify('prompts'))];
  return {
    server,
    close() {
      clearTimeout(timer);
      for (const s of subs) s.dispose();
    },
  };
}
