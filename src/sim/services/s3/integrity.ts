// What S3 checks of an upload's bytes before it keeps them: the aws-chunked framing (and its trailers), the
// payload hash the request was signed with (x-amz-content-sha256), Content-MD5, and one additional checksum
// (x-amz-checksum-<algorithm> as a header or a trailer, named by x-amz-sdk-checksum-algorithm / x-amz-trailer).

import { createHash } from 'node:crypto';
import { ChunkedBodyError, decodeAwsChunked, isAwsChunked, storedContentEncoding } from '../../protocol/aws-chunked.js';
import { AwsError } from '../../errors.js';
import type { RestCall } from '../framework.js';
import type { ChecksumAlgorithm } from '../../state/s3.js';
import { ALGORITHMS, algorithmNamed, checksumBase64, checksumHeader, DIGEST_BYTES, md5 } from './checksums.js';
import { s3Errors } from './errors.js';

export interface Payload {
  data: Buffer;
  /** The checksum the client sent and S3 verified, if any. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** Content-Encoding to keep (the request's, without aws-chunked). */
  contentEncoding?: string;
}

/** A base64 value that decodes to exactly `bytes` bytes. */
function wellFormed(value: string, bytes: number): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === bytes;
}

/** The one additional checksum a request carries (headers and trailers together), if any. */
export function sentChecksum(
  headers: Record<string, string>,
  trailers: Record<string, string> = {},
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const found: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const algorithm of ALGORITHMS) {
    const name = checksumHeader(algorithm);
    const value = trailers[name] ?? headers[name];
    if (value !== undefined) found.push({ algorithm, value });
  }
  if (found.length > 1)
    throw s3Errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  const sent = found[0];
  if (sent && !wellFormed(sent.value, DIGEST_BYTES[sent.algorithm]))
    throw s3Errors.invalidRequest(`Value for ${checksumHeader(sent.algorithm)} header is invalid.`);
  return sent;
}

/** Reads and verifies an upload's body (PutObject, UploadPart, and the small XML bodies that carry checksums). */
export function readPayload(call: RestCall): Payload {
  const h = call.headers;
  let data = call.body;
  let trailers: Record<string, string> = {};
  const chunked = isAwsChunked(h);
  if (chunked) {
    try {
      ({ data, trailers } = decodeAwsChunked(call.body));
    } catch (e) {
      if (e instanceof ChunkedBodyError)
        throw s3Errors.incompleteBody(`The request body is not valid aws-chunked data: ${e.message}`);
      throw e;
    }
    const declared = h['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== data.length) throw s3Errors.incompleteBody();
    const trailer = h['x-amz-trailer'];
    if (trailer !== undefined && trailers[trailer.toLowerCase()] === undefined)
      throw s3Errors.invalidRequest(
        `The request names the trailer ${trailer} (x-amz-trailer) but its body ends without it.`,
      );
  } else {
    const signed = h['x-amz-content-sha256'];
    if (signed !== undefined && /^[0-9a-f]{64}$/.test(signed)) {
      const computed = createHash('sha256').update(data).digest('hex');
      if (computed !== signed)
        throw new AwsError(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          400,
          { ClientComputedContentSHA256: signed, S3ComputedContentSHA256: computed },
        );
    }
  }

  const contentMd5 = h['content-md5'];
  if (contentMd5 !== undefined) {
    if (!wellFormed(contentMd5, 16)) throw s3Errors.invalidDigest();
    if (md5(data).toString('base64') !== contentMd5) throw s3Errors.badDigest('Content-MD5');
  }

  const sdkAlgorithm = h['x-amz-sdk-checksum-algorithm'];
  const named = algorithmNamed(sdkAlgorithm);
  if (sdkAlgorithm !== undefined && named === undefined)
    throw s3Errors.invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
  const sent = sentChecksum(h, trailers);
  if (named && !sent)
    throw s3Errors.invalidRequest(
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  if (named && sent && sent.algorithm !== named)
    throw s3Errors.invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
  if (sent && checksumBase64(sent.algorithm, data) !== sent.value) throw s3Errors.badDigest(sent.algorithm);
  return { data, checksum: sent, contentEncoding: storedContentEncoding(h['content-encoding']) };
}
