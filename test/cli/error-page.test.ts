// A call answered with a non-AWS page — an HTML 503 from a proxy, load balancer or outage page — must say which call
// failed, its HTTP status and who answered, not the SDK's "XML parse error: mismatched tags".

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { runCli } from '../helpers/cli.js';

const PAGE =
  '<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1><hr><center>nginx</center></body></html>';

describe('an HTTP 5xx with an HTML body', () => {
  let server: Server;
  let endpoint: string;
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('names the call, the status and the non-AWS page; exit 7', async () => {
    const r = await runCli(['status', 'i-0c0ffee0000000001', '--endpoint-url', endpoint, '--region', 'us-east-1']);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /ec2:Describe\w+ failed with HTTP 503/);
    assert.match(
      r.stderr,
      new RegExp(`the endpoint ${endpoint.replace(/\./g, '\\.')} answered with a non-AWS error page`),
    );
    assert.match(r.stderr, /text\/html, "503 Service Temporarily Unavailable"/);
    assert.doesNotMatch(r.stderr, /XML parse error|mismatched tags|internal error/);
    assert.match(r.stderr, /→ /, 'says what to do next');
  });

  test('as JSON: one document on stdout with the error', async () => {
    const r = await runCli([
      'status',
      'i-0c0ffee0000000001',
      '--endpoint-url',
      endpoint,
      '--region',
      'us-east-1',
      '--output',
      'json',
    ]);
    assert.equal(r.code, 7, r.stderr);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string; exitCode: number } };
    assert.equal(out.error.code, 'aws-error-page');
    assert.equal(out.error.exitCode, 7);
    assert.match(out.error.message, /ec2:Describe\w+ failed with HTTP 503/);
  });
});
