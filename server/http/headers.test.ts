// helmet's security headers and the demo's content security policy, as a plain HTTP client sees them.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_CSP_DIRECTIVES } from '../app.js';
import { startServer } from '../test-support/harness.js';

/** `content-security-policy` parsed into directive → sources. */
function parseCsp(header: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name] = sources;
  }
  return out;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('security headers (helmet) and the demo CSP', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtc-headers-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(dir, 'rtc-room.js'), 'export {}');
    h = await startServer({ demoDir: dir, bundleDir: dir });
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true });
  });

  it("the demo page: exactly the CSP of DEMO_CSP_DIRECTIVES, no inline code, and helmet's headers", async () => {
    const res = await fetch(`${h.url}/?room=standup`);
    assert.equal(res.status, 200);
    const csp = parseCsp(res.headers.get('content-security-policy') ?? '');
    const expected = Object.fromEntries(Object.entries(DEMO_CSP_DIRECTIVES).map(([name, sources]) => [kebab(name), sources]));
    assert.deepEqual(csp, expected);
    for (const [directive, sources] of Object.entries(csp)) {
      assert.ok(
        !sources.includes("'unsafe-inline'") && !sources.includes("'unsafe-eval'") && !sources.includes('*'),
        `${directive}: ${sources.join(' ')}`,
      );
    }
    assert.deepEqual(csp['script-src'], ["'self'"]);
    assert.deepEqual(csp['object-src'], ["'none'"]);
    assert.deepEqual(csp['frame-ancestors'], ["'self'"]);
    const headers = Object.fromEntries(
      [
        'x-content-type-options',
        'x-frame-options',
        'referrer-policy',
        'cross-origin-opener-policy',
        'cross-origin-resource-policy',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-permitted-cross-domain-policies',
        'origin-agent-cluster',
      ].map((name) => [name, res.headers.get(name)]),
    );
    assert.deepEqual(headers, {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      // the bundle is meant to be loaded by other origins' pages
      'cross-origin-resource-policy': 'cross-origin',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-permitted-cross-domain-policies': 'none',
      'origin-agent-cluster': '?1',
    });
    assert.equal(res.headers.get('x-powered-by'), null, 'no Express banner');
    assert.equal(res.headers.get('strict-transport-security'), null, 'HSTS is left to the TLS proxy');
  });

  it('the same headers on the bundle, /healthz and error answers', async () => {
    for (const path of ['/rtc-room.js', '/healthz', '/nothing-here']) {
      const res = await fetch(`${h.url}${path}`);
      assert.ok(res.headers.get('content-security-policy')?.includes("default-src 'self'"), path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-powered-by'), null, path);
      await res.arrayBuffer();
    }
  });

  it('a hostile path comes back as JSON with its markup escaped, never as HTML', async () => {
    // fetch would percent-encode the < >; a raw request sends them as they are
    const url = new URL(h.url);
    const res = await new Promise<{ status?: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: '/<script>alert(1)</script>&x' }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', 'so no browser sniffs it into HTML');
    assert.doesNotMatch(res.body, /[<>&]/, res.body);
    assert.match(JSON.parse(res.body).error.message, /<script>alert\(1\)<\/script>&x/, 'the same text once parsed');
  });
});
