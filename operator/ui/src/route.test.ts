import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  environmentHref,
  GIT_REPOSITORIES_HREF,
  gitRepositoryHref,
  NO_FILTERS,
  overviewHref,
  overviewQuery,
  parseRoute,
} from './route.ts';

test('the overview, with its filters from the query', () => {
  assert.deepEqual(parseRoute('/ui/', ''), { page: 'overview', filters: NO_FILTERS });
  assert.deepEqual(parseRoute('/ui', ''), { page: 'overview', filters: NO_FILTERS });
  assert.deepEqual(parseRoute('/ui/', '?q=api&namespace=shop&sync=OutOfSync&health=Degraded&offset=50'), {
    page: 'overview',
    filters: { q: 'api', namespace: 'shop', sync: 'OutOfSync', health: 'Degraded', offset: 50 },
  });
  assert.deepEqual(parseRoute('/ui/', '?offset=-3'), { page: 'overview', filters: NO_FILTERS });
});

test('an Environment page; anything else is not found', () => {
  assert.deepEqual(parseRoute('/ui/environments/shop/prod', ''), {
    page: 'environment',
    namespace: 'shop',
    name: 'prod',
  });
  assert.deepEqual(parseRoute('/ui/environments/shop/prod.eu-1/', ''), {
    page: 'environment',
    namespace: 'shop',
    name: 'prod.eu-1',
  });
  assert.equal(parseRoute('/ui/environments/shop', '').page, 'notfound');
  assert.equal(parseRoute('/ui/environments/Shop/prod', '').page, 'notfound');
  assert.equal(parseRoute('/ui/environments/%E0%A4%A/prod', '').page, 'notfound');
  assert.equal(parseRoute('/ui/environment/shop/prod', '').page, 'notfound');
});

test('the GitRepositories and one GitRepository, whose links parse back', () => {
  assert.deepEqual(parseRoute('/ui/gitrepositories', ''), { page: 'gitrepositories' });
  assert.deepEqual(parseRoute('/ui/gitrepositories/', '?x=1'), { page: 'gitrepositories' });
  assert.deepEqual(parseRoute('/ui/gitrepositories/shop/deploy', ''), {
    page: 'gitrepository',
    namespace: 'shop',
    name: 'deploy',
  });
  assert.equal(parseRoute('/ui/gitrepositories/shop', '').page, 'notfound');
  assert.equal(parseRoute('/ui/gitrepositories/shop/Deploy', '').page, 'notfound');
  assert.equal(parseRoute('/ui/gitrepositories/shop/deploy/x', '').page, 'notfound');
  assert.equal(GIT_REPOSITORIES_HREF, '/ui/gitrepositories');
  const href = gitRepositoryHref('shop', 'deploy.eu-1');
  assert.equal(href, '/ui/gitrepositories/shop/deploy.eu-1');
  assert.deepEqual(parseRoute(href, ''), { page: 'gitrepository', namespace: 'shop', name: 'deploy.eu-1' });
});

test('links and API queries from filters round-trip', () => {
  const filters = { q: 'a b', namespace: 'shop', sync: '', health: 'Degraded', offset: 100 };
  const href = overviewHref(filters);
  assert.equal(href, '/ui/?q=a+b&namespace=shop&health=Degraded&offset=100');
  const url = new URL(href, 'http://x');
  assert.deepEqual(parseRoute(url.pathname, url.search), { page: 'overview', filters });
  assert.equal(overviewHref(NO_FILTERS), '/ui/');
  assert.equal(overviewQuery(filters, undefined), 'sort=attention&q=a+b&namespace=shop&health=Degraded');
  assert.equal(overviewQuery(NO_FILTERS, { offset: 50, limit: 50 }), 'sort=attention&offset=50&limit=50');
  assert.equal(environmentHref('shop', 'prod'), '/ui/environments/shop/prod');
});
