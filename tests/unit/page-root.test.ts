import { describe, expect, it } from 'vitest';
import { isWithinPageRoot } from '../../electron/app/page-root.js';

// The Electron mains allow navigation, redirects and IPC only for their own page: the Console's
// file:// folder, the POS's loopback origin. Whole path segments, after normalization.

describe('isWithinPageRoot', () => {
  const consoleRoots = ['file:///opt/Fleet%20Console/resources/app.asar/dist/renderer', 'file:///opt/Fleet%20Console/resources/app.asar/dist/renderer/'];
  for (const root of consoleRoots) {
    it(`keeps the Console inside ${root}`, () => {
      const dir = 'file:///opt/Fleet%20Console/resources/app.asar/dist';
      for (const url of [`${dir}/renderer`, `${dir}/renderer/`, `${dir}/renderer/index.html`, `${dir}/renderer/index.html#/host/1?x=y`, `${dir}/renderer/assets/index.js`, `${dir}/renderer/./index.html`, `${dir}/renderer/assets/../index.html`]) {
        expect(isWithinPageRoot(url, root), url).toBe(true);
      }
      for (const url of [
        `${dir}/renderer-evil/index.html`, // a sibling sharing the prefix
        `${dir}/rendererx`,
        `${dir}/renderer/../secret.html`,
        `${dir}/renderer/%2e%2e/secret.html`,
        `${dir}/renderer/%2E%2E/%2e%2e/secret.html`,
        `${dir}/renderer/..%2fsecret.html`,
        `${dir}/renderer/..%5csecret.html`,
        `${dir}/renderer/%2e%2e%2fsecret.html`,
        `${dir}/renderer/%zz`,
        `${dir}`,
        'file://evil.example/opt/Fleet%20Console/resources/app.asar/dist/renderer/index.html',
        'http://opt/Fleet%20Console/resources/app.asar/dist/renderer/index.html',
        'about:blank',
        'not a url',
        '',
      ]) {
        expect(isWithinPageRoot(url, root), url).toBe(false);
      }
    });
  }

  it('keeps the POS on its own loopback origin', () => {
    const origin = 'http://127.0.0.1:8417';
    for (const url of [`${origin}`, `${origin}/`, `${origin}/index.html`, `${origin}/#/sell`, `${origin}/?token=abc`, `${origin}/pos-images/product/1?v=2`]) {
      expect(isWithinPageRoot(url, origin), url).toBe(true);
    }
    for (const url of [
      'http://127.0.0.1:8417@evil.example/',
      'http://127.0.0.1:8417@evil.example',
      'http://user:pw@127.0.0.1:8417/',
      'http://127.0.0.1:84170/',
      'http://127.0.0.1.evil.example:8417/',
      'https://127.0.0.1:8417/',
      'http://localhost:8417/',
      'http://127.0.0.1/',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      expect(isWithinPageRoot(url, origin), url).toBe(false);
    }
  });
});
