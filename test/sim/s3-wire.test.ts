import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digest, compositeChecksum, multipartEtag } from '../../src/sim/services/s3/checksums.js';
import { decodeAwsChunked, ChunkedBodyError, storedContentEncoding } from '../../src/sim/protocol/aws-chunked.js';
import { parseXml, childText, childrenNamed, XmlSyntaxError } from '../../src/sim/protocol/xml-parse.js';
import { s3Route } from '../../src/sim/protocol/s3-routes.js';
import { toFlatXml, toXml, XmlList } from '../../src/sim/protocol/xml.js';
import { AwsError } from '../../src/sim/errors.js';

test('checksums: the standard check values of CRC-32, CRC-32C and CRC-64/NVME over "123456789"', () => {
  const check = Buffer.from('123456789');
  assert.equal(digest('CRC32', check).toString('hex'), 'cbf43926');
  assert.equal(digest('CRC32C', check).toString('hex'), 'e3069283');
  assert.equal(digest('CRC64NVME', check).toString('hex'), 'ae8b14860a799888');
  assert.equal(digest('CRC32', Buffer.alloc(0)).toString('hex'), '00000000');
  assert.equal(digest('SHA256', Buffer.from('abc')).toString('hex').slice(0, 8), 'ba7816bf');
  // Composite: the algorithm over the raw part digests; ETag: MD5 over the raw part MD5s.
  const parts = [digest('SHA256', Buffer.from('a')), digest('SHA256', Buffer.from('b'))];
  assert.equal(
    compositeChecksum(
      'SHA256',
      parts.map((p) => p.toString('base64')),
    ),
    `${digest('SHA256', Buffer.concat(parts)).toString('base64')}-2`,
  );
  assert.match(
    multipartEtag(['"0cc175b9c0f1b6a831c399e269772661"', '"92eb5ffee6ae2fec3ad71c777531578f"']),
    /^"[0-9a-f]{32}-2"$/,
  );
});

test('aws-chunked: chunks with or without signatures, trailers, and malformed framing', () => {
  const body = Buffer.from(
    '5;chunk-signature=' +
      'a'.repeat(64) +
      '\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:abc\r\n\r\n',
  );
  const d = decodeAwsChunked(body);
  assert.equal(d.data.toString(), 'hello world');
  assert.deepEqual(d.trailers, { 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-trailer-signature': 'abc' });
  assert.equal(decodeAwsChunked(Buffer.from('0\r\n\r\n')).data.length, 0);
  // Binary data containing CRLF inside a chunk is taken by its length, not split.
  const bin = Buffer.concat([Buffer.from('4\r\n'), Buffer.from([13, 10, 13, 10]), Buffer.from('\r\n0\r\n\r\n')]);
  assert.deepEqual([...decodeAwsChunked(bin).data], [13, 10, 13, 10]);
  for (const bad of ['zz\r\nhello\r\n0\r\n\r\n', '10\r\nshort\r\n0\r\n\r\n', '5\r\nhelloXX0\r\n\r\n', '5\r\nhello']) {
    assert.throws(() => decodeAwsChunked(Buffer.from(bad)), ChunkedBodyError, JSON.stringify(bad));
  }
  assert.equal(storedContentEncoding('aws-chunked'), undefined);
  assert.equal(storedContentEncoding('gzip,aws-chunked'), 'gzip');
});

test('the XML reader: nesting, entities, CDATA, namespaces; malformed documents throw', () => {
  const doc = parseXml(
    '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Part><ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber></Part><!-- c --><Part><ETag><![CDATA["d<e"]]></ETag>' +
      '<PartNumber>2</PartNumber></Part><Empty/></CompleteMultipartUpload>',
  );
  const parts = childrenNamed(doc, 'Part');
  assert.deepEqual(
    parts.map((p) => [childText(p, 'ETag'), childText(p, 'PartNumber')]),
    [
      ['"abc"', '1'],
      ['"d<e"', '2'],
    ],
  );
  assert.equal(childText(doc, 'Empty'), '');
  assert.equal(childText(doc, 'Missing'), undefined);
  assert.equal(parseXml('<a>&#233;&#x41;</a>').text, 'éA');
  for (const bad of ['', '<a>', '<a></b>', '<a/><b/>', 'text<a/>', '<a>&bogus;</a>', '<a>x & y</a>']) {
    assert.throws(() => parseXml(bad), XmlSyntaxError, JSON.stringify(bad));
  }
});

test('S3 routing: method, path and sub-resource pick the operation; labels are decoded', () => {
  const route = (method: string, url: string, headers: Record<string, string> = {}) => {
    const [path, query = ''] = url.split('?');
    return s3Route({ method, path: path!, query: new URLSearchParams(query), headers, body: Buffer.alloc(0) });
  };
  const cases: [string, string, string][] = [
    ['GET', '/', 'ListBuckets'],
    ['PUT', '/b', 'CreateBucket'],
    ['PUT', '/b?versioning', 'PutBucketVersioning'],
    ['GET', '/b?versioning', 'GetBucketVersioning'],
    ['GET', '/b?location', 'GetBucketLocation'],
    ['GET', '/b/?list-type=2&prefix=x', 'ListObjectsV2'],
    ['HEAD', '/b', 'HeadBucket'],
    ['DELETE', '/b', 'DeleteBucket'],
    ['PUT', '/b/k?x-id=PutObject', 'PutObject'],
    ['GET', '/b/k', 'GetObject'],
    ['HEAD', '/b/k', 'HeadObject'],
    ['DELETE', '/b/k', 'DeleteObject'],
    ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart'],
    ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload'],
    ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload'],
    ['GET', '/b/k?uploadId=u', 'ListParts'],
  ];
  for (const [method, url, action] of cases) assert.equal(route(method, url).action, action, `${method} ${url}`);
  assert.equal(route('PUT', '/b/k', { 'x-amz-copy-source': 'a/b' }).action, 'CopyObject');
  assert.deepEqual(route('GET', '/my-bucket/a%20b/c%2Fd.txt?versionId=v1').params, {
    Bucket: 'my-bucket',
    Key: 'a b/c/d.txt',
    versionId: 'v1',
  });
  const refused = (method: string, url: string): string => {
    try {
      route(method, url);
    } catch (e) {
      if (e instanceof AwsError) return `${e.status} ${e.code}`;
      throw e;
    }
    return 'routed';
  };
  assert.equal(refused('GET', '/b/k?tagging'), '501 NotImplemented');
  assert.equal(refused('GET', '/b'), '501 NotImplemented'); // ListObjects v1
  assert.equal(refused('POST', '/b/k'), '405 MethodNotAllowed');
  assert.equal(refused('DELETE', '/'), '405 MethodNotAllowed');
});

test('XML writers: REST-XML flattens lists; XmlList names its own items (awsQuery maps use entry)', () => {
  assert.equal(
    toFlatXml('R', { Contents: [{ Key: 'a' }, { Key: 'b' }], Buckets: { Bucket: [{ Name: 'x' }] }, Empty: [] }),
    '<R><Contents><Key>a</Key></Contents><Contents><Key>b</Key></Contents><Buckets><Bucket><Name>x</Name></Bucket></Buckets></R>',
  );
  assert.equal(
    toXml('Result', { Attributes: new XmlList('entry', [{ key: 'k', value: 'v&' }]), L: ['m'] }, 'member'),
    '<Result><Attributes><entry><key>k</key><value>v&amp;</value></entry></Attributes><L><member>m</member></L></Result>',
  );
});
