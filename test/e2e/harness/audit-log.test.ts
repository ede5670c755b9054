// The audit log reader counts the requests of every file the API server wrote, rotated ones
// included: a 10,000-Environment benchmark fills several 100 MB files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLogFiles, readAuditLog } from '../../harness/audit-log.ts';

const entry = (user: string, at: string, verb: string, name: string) =>
  JSON.stringify({
    user: { username: user },
    verb,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/bench/configmaps/${name}`,
    requestReceivedTimestamp: at,
    objectRef: { resource: 'configmaps', namespace: 'bench', name },
  });

describe('the audit log reader', () => {
  it('reads the rotated files, oldest first, then audit.log; only the user and the window asked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-audit-'));
    try {
      const lines = (...l: string[]) => l.join('\n') + '\n';
      writeFileSync(
        join(dir, 'audit-2026-12-04T02-59-45.401.log'),
        lines(entry('op', '2026-12-04T02:50:00Z', 'patch', 'a'), entry('other', '2026-12-04T02:51:00Z', 'get', 'a')),
      );
      writeFileSync(
        join(dir, 'audit-2026-12-04T02-40-00.000.log'),
        lines(entry('op', '2026-12-04T02:30:00Z', 'get', 'z')),
      );
      writeFileSync(join(dir, 'audit.log'), lines(entry('op', '2026-12-04T03:00:00Z', 'patch', 'b')));
      writeFileSync(join(dir, 'audit-policy.yaml'), 'rules: []\n');
      assert.deepEqual(
        auditLogFiles(join(dir, 'audit.log')).map((f) => f.slice(dir.length + 1)),
        ['audit-2026-12-04T02-40-00.000.log', 'audit-2026-12-04T02-59-45.401.log', 'audit.log'],
      );
      const read = readAuditLog(join(dir, 'audit.log'), 'op', Date.parse('2026-12-04T02:45:00Z'), Date.now());
      assert.deepEqual(
        read.map((r) => `${r.verb} ${r.name}`),
        ['patch a', 'patch b'],
      );
      assert.deepEqual(readAuditLog(join(dir, 'missing', 'audit.log'), 'op', 0, Date.now()), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
