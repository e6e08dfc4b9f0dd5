// Role-based access: the default roles, custom roles from the config, the check on every tool
// call (with the denial audited), and ctx.rbac inside a plugin.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Principal } from '@devflow/plugin-sdk';
import { ConfigError, Kernel } from '../src/kernel.js';
import { Rbac } from '../src/rbac/rbac.js';
import { createTestKernel } from '../src/testing/index.js';
import { plugin, tempDir } from './fixtures/kernel-helpers.js';

const as = (role: string): Principal => ({ id: `test:${role}`, kind: 'user', role });

/** One tool per permission, each returning which permission it needed. */
const guarded = plugin('guarded', {
  permissions: ['project:read', 'notes:read', 'notes:write', 'audit:read', 'plugins:manage'],
  start(ctx) {
    for (const permission of ['project:read', 'notes:read', 'notes:write', 'audit:read', 'plugins:manage']) {
      const name = `guarded_${permission.replace(':', '_')}`;
      ctx.tools.register({ name, description: `Needs ${permission} to run.`, permission, inputSchema: { type: 'object' } }, () => ({ permission }));
    }
    // A tool that checks a finer permission itself, for a target it names.
    ctx.tools.register(
      { name: 'guarded_purge', description: 'Purges notes; checks plugins:manage itself.', permission: 'notes:read', inputSchema: { type: 'object' } },
      (_args, call) => {
        ctx.rbac.assert(call.principal, 'plugins:manage');
        return { purged: true };
      },
    );
    ctx.tools.register(
      { name: 'guarded_sneaky', description: 'Checks a permission it never declared.', permission: 'notes:read', inputSchema: { type: 'object' } },
      (_args, call) => {
        ctx.rbac.assert(call.principal, 'billing:write');
        return {};
      },
    );
  },
});

describe('default roles', () => {
  const rbac = new Rbac();
  const table: [string, string, boolean][] = [
    ['admin', 'plugins:manage', true],
    ['admin', 'audit:read', true],
    ['developer', 'notes:write', true],
    ['developer', 'git:run', true],
    ['developer', 'audit:read', false],
    ['developer', 'plugins:manage', false],
    ['developer', 'admin:write', false],
    ['viewer', 'notes:read', true],
    ['viewer', 'notes:write', false],
    ['viewer', 'audit:read', false],
    ['guest', 'project:read', true],
    ['guest', 'status:read', true],
    ['guest', 'notes:read', false],
    ['nobody', 'project:read', false],
  ];
  for (const [role, permission, allowed] of table) {
    test(`${role} ${allowed ? 'may' : 'may not'} ${permission}`, () => assert.equal(rbac.can(as(role), permission), allowed));
  }

  test('a deny pattern wins over an allow pattern', () => {
    const custom = new Rbac({ ops: ['*:*', '!secrets:*'] });
    assert.equal(custom.can(as('ops'), 'deploy:run'), true);
    assert.equal(custom.can(as('ops'), 'secrets:read'), false);
  });

  test('assert throws KRN_ERR_FORBIDDEN and reports the denial', () => {
    const denied: string[] = [];
    const r = new Rbac({}, (p, permission, target) => void denied.push(`${p.id} ${permission} ${target}`));
    assert.throws(() => r.assert(as('viewer'), 'notes:write', 'note 7'), (e: { code?: string; message?: string }) => e.code === 'KRN_ERR_FORBIDDEN' && /lacks notes:write for note 7/.test(e.message ?? ''));
    r.assert(as('developer'), 'notes:write');
    assert.deepEqual(denied, ['test:viewer notes:write note 7']);
  });
});

describe('tool calls', () => {
  test('a viewer is denied a write tool with KRN_ERR_FORBIDDEN, the handler does not run, and the denial is audited', async (t) => {
    const tk = await createTestKernel({ t, plugins: [guarded] });
    const denied = await tk.as('viewer').callTool('guarded_notes_write', {});
    assert.ok(!denied.ok);
    assert.equal(denied.error.code, 'KRN_ERR_FORBIDDEN');
    assert.match(denied.error.message, /test:viewer \(role viewer\) lacks notes:write, which guarded_notes_write needs/);
    const [row] = tk.kernel.audit.query({ outcome: 'denied' });
    assert.deepEqual([row?.principal, row?.role, row?.action, row?.target, row?.detail?.permission], ['test:viewer', 'viewer', 'tool:call', 'guarded_notes_write', 'notes:write']);
    assert.ok((await tk.as('viewer').callTool('guarded_notes_read', {})).ok);
  });

  test('a guest reaches only project and status reads', async (t) => {
    const tk = await createTestKernel({ t, plugins: [guarded] });
    const guest = tk.as('guest');
    assert.ok((await guest.callTool('guarded_project_read', {})).ok);
    for (const name of ['guarded_notes_read', 'guarded_notes_write', 'guarded_audit_read']) {
      const r = await guest.callTool(name, {});
      assert.ok(!r.ok && r.error.code === 'KRN_ERR_FORBIDDEN', name);
    }
    assert.equal(tk.kernel.audit.query({ outcome: 'denied', principal: 'test:guest' }).length, 3);
  });

  test('custom roles from the config: a new role, and an override of a default one', async (t) => {
    const tk = await createTestKernel({ t, plugins: [guarded], config: { rbac: { roles: { auditor: ['audit:read'], viewer: ['project:read'] } } } });
    assert.ok((await tk.as('auditor').callTool('guarded_audit_read', {})).ok);
    assert.equal((await tk.as('auditor').callTool('guarded_notes_read', {})).ok, false);
    assert.equal((await tk.as('developer').callTool('guarded_audit_read', {})).ok, false);
    // The overridden viewer lost *:read.
    assert.equal((await tk.as('viewer').callTool('guarded_notes_read', {})).ok, false);
    assert.ok((await tk.as('viewer').callTool('guarded_project_read', {})).ok);
  });

  test('rbac.localRole sets the role of the local user', async (t) => {
    const tk = await createTestKernel({ t, plugins: [guarded], config: { rbac: { localRole: 'viewer' } } });
    assert.equal(tk.kernel.localPrincipal.role, 'viewer');
    const r = await tk.callTool('guarded_notes_write', {});
    assert.ok(!r.ok && r.error.code === 'KRN_ERR_FORBIDDEN');
  });

  test('an invalid permission pattern in rbac.roles is a config error naming its path', (t) => {
    const dir = tempDir(t);
    assert.throws(
      () => Kernel.open({ config: { rbac: { roles: { ops: ['deploy'] } } }, databasePath: join(dir, 'db'), env: { ...process.env, DEVFLOW_HOME: dir }, cwd: dir }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.code === 'KRN_ERR_CONFIG_INVALID' && /rbac\.roles\.ops\[0\] must match pattern/.test(p.detail)),
    );
  });
});

describe('ctx.rbac inside a plugin', () => {
  test('assert in a handler: a caller without the permission gets KRN_ERR_FORBIDDEN, audited as rbac:deny', async (t) => {
    const tk = await createTestKernel({ t, plugins: [guarded] });
    const r = await tk.as('developer').callTool('guarded_purge', {});
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KRN_ERR_FORBIDDEN');
    const [row] = tk.kernel.audit.query({ action: 'rbac:deny' });
    assert.deepEqual([row?.principal, row?.detail?.permission], ['test:developer', 'plugins:manage']);
    assert.deepEqual((await tk.as('admin').callTool('guarded_purge', {})).ok, true);
  });

  test('asserting a permission the plugin did not declare is KRN_ERR_PERMISSION_UNDECLARED, even for an admin', async (t) => {
    const tk = await createTestKernel({ t, plugins: [guarded] });
    const r = await tk.as('admin').callTool('guarded_sneaky', {});
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KRN_ERR_PERMISSION_UNDECLARED');
    assert.match(r.error.message, /"billing:write"/);
  });
});
