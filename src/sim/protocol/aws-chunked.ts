// The `aws-chunked` content encoding S3 clients use for streaming uploads: the body is a series of chunks
//   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n … 0[;chunk-signature=<sig>]\r\n
// followed, when the request names trailers (x-amz-trailer), by `name:value\r\n` lines and a final \r\n.
// (HTTP's own Transfer-Encoding: chunked is undone by Node before the body gets here.) Chunk signatures are read
// past, as every signature is: the simulator holds no secrets.

export class ChunkedBodyError extends Error {}

export interface DecodedChunks {
  data: Buffer;
  /** Trailing headers, lower-case names (e.g. `x-amz-checksum-crc32`). */
  trailers: Record<string, string>;
}

const CRLF = Buffer.from('\r\n');

/** Whether a request's body is aws-chunked: by its Content-Encoding, or by a streaming x-amz-content-sha256. */
export function isAwsChunked(headers: Record<string, string>): boolean {
  const enc = headers['content-encoding'] ?? '';
  if (
    enc
      .split(',')
      .map((s) => s.trim())
      .includes('aws-chunked')
  )
    return true;
  return (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
}

/** The Content-Encoding to store: the request's, without `aws-chunked`. */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'aws-chunked');
  return rest.length ? rest.join(',') : undefined;
}

export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = body.indexOf(CRLF, i);
    if (eol < 0) throw new ChunkedBodyError('a chunk header without its line end');
    const header = body.subarray(i, eol).toString('latin1');
    const sizeText = header.split(';', 1)[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText))
      throw new ChunkedBodyError(`a chunk size that is not hexadecimal: "${sizeText}"`);
    const size = parseInt(sizeText, 16);
    i = eol + 2;
    if (size === 0) break;
    if (i + size + 2 > body.length) throw new ChunkedBodyError('a chunk longer than the body');
    parts.push(body.subarray(i, i + size));
    i += size;
    if (body[i] !== 0x0d || body[i + 1] !== 0x0a) throw new ChunkedBodyError('a chunk not followed by CRLF');
    i += 2;
  }
  const trailers: Record<string, string> = {};
  while (i < body.length) {
    const eol = body.indexOf(CRLF, i);
    const line = body.subarray(i, eol < 0 ? body.length : eol).toString('latin1');
    i = eol < 0 ? body.length : eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ChunkedBodyError(`a malformed trailer line: "${line}"`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), trailers };
}
