// Argo CD's places for health scripts: a resource_customizations tree, argocd-cm's keys (split and legacy),
// a ConfigMap mounted as files; then the scripts loaded and run.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  healthScriptsFromConfigMap,
  healthScriptsFromDirectory,
  loadArgoCdHealthScripts,
  readMountedConfigMap,
} from './argocd-scripts.ts';
import { LuaHealthRules } from './lua-health.ts';

const scratch = mkdtempSync(join(tmpdir(), 'keelson-argocd-scripts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const returning = (status: string): string => `hs = {}\nhs.status = "${status}"\nreturn hs\n`;

describe('healthScriptsFromDirectory', () => {
  it('reads <group>/<Kind>/health.lua, <Kind>/health.lua and _/<Kind>/health.lua for the core group', async () => {
    const root = writeTree(join(scratch, 'resource_customizations'), {
      'cert-manager.io/Certificate/health.lua': returning('Healthy'),
      'cert-manager.io/Certificate/health_test.yaml': 'tests: []',
      'cert-manager.io/Certificate/testdata/healthy.yaml': 'kind: Certificate',
      'argoproj.io/Rollout/health.lua': returning('Progressing'),
      'argoproj.io/Rollout/actions/restart/action.lua': 'return obj',
      'argoproj.io/Rollout/actions/discovery.lua': 'return {}',
      'ConfigMap/health.lua': returning('Suspended'),
      '_/Secret/health.lua': returning('Degraded'),
      'kustomize.toolkit.fluxcd.io/README.md': '# no scripts here',
    });
    const scripts = await healthScriptsFromDirectory(root);
    assert.deepEqual(
      scripts.map((s) => [s.key, s.origin]),
      [
        ['/ConfigMap', join(root, 'ConfigMap/health.lua')],
        ['/Secret', join(root, '_/Secret/health.lua')],
        ['argoproj.io/Rollout', join(root, 'argoproj.io/Rollout/health.lua')],
        ['cert-manager.io/Certificate', join(root, 'cert-manager.io/Certificate/health.lua')],
      ],
    );
    assert.equal(scripts[3]!.source, returning('Healthy'));
    const rules = await LuaHealthRules.load(scripts);
    const obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } };
    assert.deepEqual(rules.ruleFor('', 'Secret')?.(obj), { status: 'Degraded' });
    assert.deepEqual(rules.ruleFor('argoproj.io', 'Rollout')?.(obj), { status: 'Progressing' });
  });

  it('fails, naming the folder, when the tree is not there', async () => {
    await assert.rejects(healthScriptsFromDirectory(join(scratch, 'nowhere')), /ENOENT.*nowhere/);
  });
});

describe('healthScriptsFromConfigMap', () => {
  it('turns resource.customizations.health.<group_kind> keys into group/Kind, core group and wildcards too', () => {
    const scripts = healthScriptsFromConfigMap(
      {
        'resource.customizations.health.cert-manager.io_Certificate': returning('Healthy'),
        'resource.customizations.health.ConfigMap': returning('Suspended'),
        'resource.customizations.health.*.crossplane.io_*': returning('Progressing'),
        'resource.customizations.health.all': returning('Healthy'),
        'resource.customizations.useOpenLibs.cert-manager.io_Certificate': 'true',
        'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers: [/spec/replicas]',
        url: 'https://argo.example.com',
      },
      'argocd-cm',
    );
    assert.deepEqual(
      scripts.map((s) => [s.key, s.origin]),
      [
        ['*.crossplane.io/*', 'argocd-cm/resource.customizations.health.*.crossplane.io_*'],
        ['/ConfigMap', 'argocd-cm/resource.customizations.health.ConfigMap'],
        ['*/*', 'argocd-cm/resource.customizations.health.all'],
        ['cert-manager.io/Certificate', 'argocd-cm/resource.customizations.health.cert-manager.io_Certificate'],
      ],
    );
  });

  it('reads the legacy resource.customizations YAML; a split key replaces its script for the same kind', () => {
    const legacy = [
      'cert-manager.io/Certificate:',
      '  health.lua: |',
      '    return { status = "Degraded" }',
      'Service:',
      '  health.lua: |',
      '    return { status = "Healthy" }',
      'apps/Deployment:',
      '  ignoreDifferences: |',
      '    jsonPointers: [/spec/replicas]',
    ].join('\n');
    const scripts = healthScriptsFromConfigMap(
      {
        'resource.customizations': legacy,
        'resource.customizations.health.cert-manager.io_Certificate': returning('Healthy'),
      },
      'argocd-cm',
    );
    assert.deepEqual(
      scripts.map((s) => [s.key, s.origin, s.source]),
      [
        [
          'cert-manager.io/Certificate',
          'argocd-cm/resource.customizations.health.cert-manager.io_Certificate',
          returning('Healthy'),
        ],
        ['/Service', 'argocd-cm/resource.customizations (Service)', 'return { status = "Healthy" }\n'],
      ],
    );
  });

  it('refuses a malformed key or legacy YAML, naming the key', () => {
    assert.throws(
      () => healthScriptsFromConfigMap({ 'resource.customizations.health.a_b_c': '' }, 'argocd-cm'),
      /^Error: argocd-cm\/resource\.customizations\.health\.a_b_c: "a_b_c" is not <group>_<Kind> or <Kind>/,
    );
    assert.throws(
      () => healthScriptsFromConfigMap({ 'resource.customizations.health.': '' }, 'argocd-cm'),
      /argocd-cm\/resource\.customizations\.health\.: "" is not <group>_<Kind>/,
    );
    const notString = { 'resource.customizations': 'Service:\n  health.lua: [1]' };
    assert.throws(
      () => healthScriptsFromConfigMap(notString, 'argocd-cm'),
      /^Error: argocd-cm\/resource\.customizations: Service\.health\.lua is not a string/,
    );
    assert.throws(
      () => healthScriptsFromConfigMap({ 'resource.customizations': '- a list' }, 'argocd-cm'),
      /argocd-cm\/resource\.customizations: expected a map of group\/Kind/,
    );
  });
});

describe('a mounted ConfigMap and loadArgoCdHealthScripts', () => {
  /** What the kubelet writes: the files in a timestamped folder, `..data` linked to it, a link per key. */
  function mountConfigMap(dir: string, data: Record<string, string>): string {
    writeTree(join(dir, '..2024_01_01_00_00_00.000000001'), data);
    symlinkSync('..2024_01_01_00_00_00.000000001', join(dir, '..data'));
    for (const key of Object.keys(data)) symlinkSync(join('..data', key), join(dir, key));
    return dir;
  }

  it('reads one key per file, the kubelet links skipped', async () => {
    const dir = mountConfigMap(join(scratch, 'mounted'), {
      'resource.customizations.health.cert-manager.io_Certificate': returning('Healthy'),
      url: 'https://argo.example.com',
    });
    assert.deepEqual(await readMountedConfigMap(dir), {
      'resource.customizations.health.cert-manager.io_Certificate': returning('Healthy'),
      url: 'https://argo.example.com',
    });
  });

  it('gathers the sources, the ConfigMap replacing the tree for a kind, and they load', async () => {
    const tree = writeTree(join(scratch, 'tree'), {
      'cert-manager.io/Certificate/health.lua': returning('Degraded'),
      'cert-manager.io/Issuer/health.lua': returning('Healthy'),
    });
    const mounted = mountConfigMap(join(scratch, 'mounted-cm'), {
      'resource.customizations.health.cert-manager.io_Issuer': returning('Suspended'),
    });
    const scripts = await loadArgoCdHealthScripts({
      directory: tree,
      configMapDirectory: mounted,
      configMapData: { 'resource.customizations.health.cert-manager.io_Certificate': returning('Progressing') },
    });
    assert.deepEqual(
      scripts.map((s) => [s.key, s.origin]),
      [
        ['cert-manager.io/Certificate', 'argocd-cm/resource.customizations.health.cert-manager.io_Certificate'],
        ['cert-manager.io/Issuer', join(mounted, 'resource.customizations.health.cert-manager.io_Issuer')],
      ],
    );
    const rules = await LuaHealthRules.load(scripts);
    const obj = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'le' } };
    assert.deepEqual(rules.ruleFor('cert-manager.io', 'Issuer')?.(obj), { status: 'Suspended' });
    assert.deepEqual(rules.ruleFor('cert-manager.io', 'Certificate')?.(obj), { status: 'Progressing' });
  });
});
