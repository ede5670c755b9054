// Which UI files are hashed (cached for a year), when gzip is allowed, which paths stay
// inside the directory, and how Kubernetes Events become the page's event items.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventItems } from './environment-routes.ts';
import { acceptsGzip } from '../http/http-server.ts';
import { isHashedAsset, safeRelative } from './static-files.ts';

describe('static files', () => {
  it('knows hashed asset names', () => {
    assert.equal(isHashedAsset('assets/app-RSXRFRXL.js'), true);
    assert.equal(isHashedAsset('assets/app-3F7QK2LZ.css'), true);
    assert.equal(isHashedAsset('index.html'), false);
    assert.equal(isHashedAsset('app-abc123.js'), false);
  });

  it('reads Accept-Encoding', () => {
    assert.equal(acceptsGzip('gzip, deflate, br'), true);
    assert.equal(acceptsGzip('br;q=1.0, gzip;q=0.8'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('br'), false);
    assert.equal(acceptsGzip(undefined), false);
  });

  it('keeps paths inside the directory', () => {
    assert.equal(safeRelative('app.js'), 'app.js');
    assert.equal(safeRelative('fonts/a.woff2'), 'fonts/a.woff2');
    for (const bad of ['', '../etc/passwd', 'a/../../b', '/etc/passwd', 'dir/', '.env', 'a\0b'])
      assert.equal(safeRelative(bad), undefined, bad);
  });
});

describe('eventItems', () => {
  it("takes Keelson's events newest first, with their counts", () => {
    const items = eventItems([
      {
        type: 'Normal',
        reason: 'Old',
        message: 'a',
        count: 2,
        lastTimestamp: '2026-01-01T00:00:00Z',
        involvedObject: { apiVersion: 'keelson.dev/v1alpha1' },
      },
      { reason: 'New', eventTime: '2026-01-02T00:00:00Z', series: { count: 5 } },
      { reason: 'Other', lastTimestamp: '2026-01-03T00:00:00Z', involvedObject: { apiVersion: 'example.com/v1' } },
    ]);
    assert.deepEqual(items, [
      { type: 'Normal', reason: 'New', message: '', count: 5, lastTimestamp: '2026-01-02T00:00:00Z' },
      { type: 'Normal', reason: 'Old', message: 'a', count: 2, lastTimestamp: '2026-01-01T00:00:00Z' },
    ]);
  });
});
