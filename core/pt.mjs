import { Kernel } from './dist/src/kernel.js';
const k = Kernel.open({ env: { ...process.env, DEVFLOW_HOME: '/tmp/coldhome' }, cwd: '/tmp/coldhome', watchConfig: false, monitors: false, logLevel: 'warn' });
await k.start();
const name = process.argv[2], args = JSON.parse(process.argv[3] ?? '{}');
for (let i = 0; i < 5000; i++) await k.callTool(name, args);
await k.stop();
