import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
const cfg = process.argv[2];
const mk = async (command, args, env, cwd) => { const c = new Client({ name: 'ab', version: '1' }); await c.connect(new StdioClientTransport({ command, args, env, cwd, stderr: 'ignore' })); return c; };
const ref = await mk('node', ['/work/main/node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'], {}, '/tmp');
const df = await mk('node', ['/work/main/core/bin/devflow.js', 'mcp', '--config', cfg], { DEVFLOW_HOME: '/tmp/dfx' }, '/tmp/dfx');
await df.listTools(); await new Promise((r) => setTimeout(r, 2000));
const cases = { echo: [ref, { name: 'echo', arguments: { message: 'hello' } }], bench_echo: [df, { name: 'bench_echo', arguments: { message: 'hello' } }] };
const S = { echo: [], bench_echo: [] };
for (let b = 0; b < 24; b++) for (const [k, [c, p]] of Object.entries(cases)) for (let i = 0; i < 100; i++) { const t0 = performance.now(); await c.callTool(p); if (b > 3) S[k].push(performance.now() - t0); }
for (const [k, d] of Object.entries(S)) { d.sort((a, b) => a - b); console.log(k.padEnd(11), [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => (d[Math.floor(d.length * q)] * 1000).toFixed(0)).join(' ')); }
await ref.close(); await df.close();
