// Every health rule against trimmed object dumps named <kind>-<state>[-variant].yaml: the
// state in the file name is the expected status. Plus the ordering and aggregation rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../manifest.ts';
import { assessHealth, compareHealth, worstHealth, HEALTH_STATUSES, type HealthStatus } from './index.ts';

const dir = join(import.meta.dirname, 'testdata');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function expectedStatus(file: string): HealthStatus {
  const state = file.replace(/\.yaml$/, '').split('-')[1];
  const status = HEALTH_STATUSES.find((s) => s.toLowerCase() === state);
  if (!status) throw new Error(`fixture ${file} does not name a health state after its kind`);
  return status;
}

describe('assessHealth on fixtures', () => {
  it('has fixtures for every kind with a rule', () => {
    const kinds = new Set(fixtures.map((f) => f.split('-')[0]));
    for (const kind of [
      'deployment',
      'statefulset',
      'daemonset',
      'replicaset',
      'pod',
      'job',
      'cronjob',
      'service',
      'ingress',
      'persistentvolumeclaim',
      'horizontalpodautoscaler',
      'poddisruptionbudget',
      'apiservice',
      'customresourcedefinition',
    ]) {
      assert.ok(kinds.has(kind), `no fixture for ${kind}`);
    }
  });
  for (const file of fixtures) {
    const expected = expectedStatus(file);
    it(`${file} is ${expected}`, () => {
      const obj = parse(readFileSync(join(dir, file), 'utf8')) as KubeObject;
      const kind = file.split('-')[0];
      assert.equal(obj.kind.toLowerCase(), kind, 'the file name starts with the kind');
      const health = assessHealth(obj);
      assert.equal(health.status, expected, `message: ${health.message}`);
      if (expected !== 'Healthy') assert.ok(health.message, 'anything but Healthy says why');
    });
  }
});

describe('assessHealth outside the fixtures', () => {
  it('an absent object is Missing', () => {
    assert.equal(assessHealth(undefined).status, 'Missing');
  });
  it('an object being deleted is Progressing', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    assert.equal(assessHealth(obj).status, 'Progressing');
  });
  it('a Deployment with the default one replica and nothing available is Progressing', () => {
    const obj: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {},
      status: {},
    };
    assert.equal(assessHealth(obj).status, 'Progressing');
  });
  it('a hook Pod still running to completion is Progressing, not Healthy', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x' },
      spec: { restartPolicy: 'Never' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    assert.equal(assessHealth(obj).status, 'Progressing');
  });
});

describe('health ordering and aggregation', () => {
  it('orders Healthy < Suspended < Progressing < Missing < Degraded < Unknown', () => {
    const sorted = [...HEALTH_STATUSES].reverse().sort(compareHealth);
    assert.deepEqual(sorted, ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown']);
  });
  const cases: { name: string; input: HealthStatus[]; want: HealthStatus }[] = [
    { name: 'an empty set is Healthy', input: [], want: 'Healthy' },
    {
      name: 'one Progressing resource makes the set Progressing',
      input: ['Healthy', 'Progressing', 'Healthy'],
      want: 'Progressing',
    },
    {
      name: 'Degraded outranks Missing and Progressing',
      input: ['Missing', 'Degraded', 'Progressing'],
      want: 'Degraded',
    },
    { name: 'Suspended outranks only Healthy', input: ['Suspended', 'Healthy'], want: 'Suspended' },
    { name: 'Unknown is the worst', input: ['Degraded', 'Unknown'], want: 'Unknown' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(worstHealth(c.input.map((status) => ({ status, message: status }))).status, c.want);
    });
  }
  it('the worst keeps the message of the resource it came from', () => {
    assert.equal(
      worstHealth([{ status: 'Healthy' }, { status: 'Degraded', message: 'job failed' }]).message,
      'job failed',
    );
  });
});
