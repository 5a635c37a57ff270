// The digests S3 computes: MD5 (ETags, Content-MD5) and the additional checksums CRC32, CRC32C, CRC64NVME, SHA1 and
// SHA256. The CRCs are the reflected, table-driven forms S3 and the SDKs use (CRC-32/ISO-HDLC, CRC-32/ISCSI,
// CRC-64/NVME); checksum values travel as base64 of the big-endian digest.

import { createHash } from 'node:crypto';
import type { ChecksumAlgorithm } from '../../state/s3.js';

export const ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** Digest lengths in bytes, to tell a malformed checksum header from a wrong one. */
export const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

function crc32Table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

const CRC32_TABLE = crc32Table(0xedb88320);
const CRC32C_TABLE = crc32Table(0x82f63b78);

function crc32With(table: Uint32Array, data: Uint8Array): Buffer {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out;
}

// CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5, kept as two 32-bit halves (no BigInt on the hot path).
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const lsb = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (lsb) {
      hi = (hi ^ 0x9a6c9329) >>> 0;
      lo = (lo ^ 0xac4bc9b5) >>> 0;
    }
  }
  CRC64_HI[i] = hi;
  CRC64_LO[i] = lo;
}

function crc64nvme(data: Uint8Array): Buffer {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]!) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[idx]!) >>> 0;
    hi = ((hi >>> 8) ^ CRC64_HI[idx]!) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
  out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
  return out;
}

/** The raw digest of `data` under an algorithm. */
export function digest(algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer {
  switch (algorithm) {
    case 'CRC32':
      return crc32With(CRC32_TABLE, data);
    case 'CRC32C':
      return crc32With(CRC32C_TABLE, data);
    case 'CRC64NVME':
      return crc64nvme(data);
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
  }
}

export function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  return digest(algorithm, data).toString('base64');
}

export function md5(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

/** `"<md5 hex>"`: a single-part object's ETag. */
export function etagOf(data: Uint8Array): string {
  return `"${md5(data).toString('hex')}"`;
}

/** `"<md5 of the parts' binary md5s>-<n>"`: a multipart object's ETag. */
export function multipartEtag(partEtags: string[]): string {
  const joined = Buffer.concat(partEtags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex')));
  return `"${md5(joined).toString('hex')}-${partEtags.length}"`;
}

/** A composite multipart checksum: the algorithm over the parts' raw digests, base64, then `-<n>`. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): string {
  const joined = Buffer.concat(partChecksums.map((c) => Buffer.from(c, 'base64')));
  return `${checksumBase64(algorithm, joined)}-${partChecksums.length}`;
}

/** `SHA256`, `sha256` → SHA256; undefined when it names no algorithm S3 has. */
export function algorithmNamed(name: string | undefined): ChecksumAlgorithm | undefined {
  if (name === undefined) return undefined;
  const up = name.toUpperCase();
  return (ALGORITHMS as readonly string[]).includes(up) ? (up as ChecksumAlgorithm) : undefined;
}

/** The header that carries a checksum: `x-amz-checksum-crc32` … */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The XML element / SDK member: `ChecksumCRC32` … */
export function checksumMember(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}
