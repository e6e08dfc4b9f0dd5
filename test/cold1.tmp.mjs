import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
const prof = process.argv[2];
const t0 = performance.now();
const t = new StdioClientTransport({ command: 'node', args: [...(prof ? ['--cpu-prof', '--cpu-prof-dir=' + prof] : []), '/work/main/core/bin/devflow.js', 'mcp'], env: { DEVFLOW_HOME: '/tmp/dfcold' }, cwd: '/tmp/dfcold', stderr: 'ignore' });
const c = new Client({ name: 'cold', version: '1' }); await c.connect(t); const t1 = performance.now(); await c.listTools(); const t2 = performance.now();
console.log('init', (t1 - t0).toFixed(1), 'tools/list', (t2 - t0).toFixed(1));
await c.close();
