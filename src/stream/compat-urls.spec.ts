import { rewriteCompatUrl } from './compat-urls';

describe(rewriteCompatUrl.name, () => {
  it.each([
    ['/?action=stream', '/video_feed'],
    ['/?action=snapshot', '/snapshot.jpg'],
    ['/?action=stream&token=v1.2.abc', '/video_feed?token=v1.2.abc'],
    ['/?1455829071416&action=stream', '/video_feed?1455829071416='],
    ['/stream', '/video_feed'],
    ['/stream?_=17', '/video_feed?_=17'],
    ['/snapshot', '/snapshot.jpg'],
    ['/snapshot?timestamp=5', '/snapshot.jpg?timestamp=5'],
  ])('rewrites %s to %s', (url, target) => {
    expect(rewriteCompatUrl(url)).toEqual({ kind: 'rewrite', url: target });
  });

  it.each([
    '/',
    '/?1455829071416',
    '/video_feed',
    '/video_feed?action=stream',
    '/streams',
    '/assets/app.js',
  ])('leaves %s alone', (url) => {
    expect(rewriteCompatUrl(url)).toEqual({ kind: 'none' });
  });

  it.each(['command', '', 'constructor', 'toString'])('reports the unknown action %j', (action) => {
    expect(rewriteCompatUrl(`/?action=${action}`)).toEqual({ kind: 'unknown-action', action });
  });
});
