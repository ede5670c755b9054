// The report: per Application what it renders, what was converted and what was not carried
// over; then what to do next.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatImportReport, importArgoCd, type InputFile } from './index.ts';

const fixture = (file: string): InputFile => ({
  file,
  text: readFileSync(join(import.meta.dirname, 'testdata', file), 'utf8'),
});

describe('formatImportReport', () => {
  const inputs = ['application-helm-git.yaml', 'application-kustomize.yaml'].map(fixture);
  const result = importArgoCd(inputs, { deployPath: 'deploy' });

  it('lists every field not carried over, under its Application', () => {
    const report = formatImportReport(result, { out: 'out' });
    for (const app of result.applications) {
      const section = report.slice(report.indexOf(`Application ${app.name} (`));
      assert.match(section, new RegExp(`not carried over \\(${app.notes.notCarried.length}\\)`));
      for (const n of app.notes.notCarried) assert.ok(section.includes(`    ${n.field}: ${n.reason}`), n.field);
    }
    assert.match(report, /^Application helm-guestbook \(application-helm-git\.yaml, document 1\)\n/m);
    assert.match(report, /^ {2}renders {6}the Helm chart at helm-guestbook of https:\/\/github\.com\/argoproj/m);
    assert.match(report, /^ {2}resources {4}GitRepository argocd-example-apps, Environment helm-guestbook in /m);
    assert.match(report, /^ {2}deploy code {2}deploy\/helm-guestbook\.ts \(an App with Helm\)$/m);
    assert.match(report, /^ {4}spec\.source\.helm\.parameters\[0\] → values\.service\.type$/m);
    assert.match(report, /^2 Applications imported, 7 fields not carried over\.\n/m);
    assert.match(report, /^Next: commit out\/deploy\/ as deploy\/ of https:\/\/github\.com\/argoproj\//m);
  });

  it('says the deploy code was not written when the resources went to stdout', () => {
    assert.match(formatImportReport(result), /The deploy code was not written: pass --out <dir>/);
  });
});
