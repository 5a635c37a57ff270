// S3's records. Bucket names are global within a partition, so buckets live on the World (not in an account's
// region): each has an owner account and a region. Object bodies are kept in memory as Buffers; a world dump
// shows their sizes only.

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** An object's (or part's) additional checksum: base64 digest, `-N` appended for a composite multipart checksum. */
export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: ChecksumType;
}

/** Server-side encryption as S3 reports it (every object is encrypted; SSE-S3 unless SSE-KMS was asked for). */
export interface Sse {
  algorithm: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

/** An Object Lock retention: the version cannot be deleted (or overwritten in place) before `retainUntil`. */
export interface Retention {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** ISO-8601. */
  retainUntil: string;
}

/** A bucket's Object Lock configuration (only ever on a versioned bucket; it cannot be removed). */
export interface ObjectLockConfig {
  defaultRetention?: { mode: Retention['mode']; days?: number; years?: number };
}

/** The four switches of S3 Block Public Access (new buckets have all four on, as S3 does since April 2023). */
export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface S3ObjectVersion {
  key: string;
  /** `null` for objects written while versioning was never enabled or suspended. */
  versionId: string;
  deleteMarker: boolean;
  body: Buffer;
  /** Quoted, as S3 sends it: `"<md5 hex>"` or `"<md5 of part md5s>-<parts>"`. */
  etag: string;
  lastModified: string;
  /** Content-Type, Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires as given. */
  headers: Record<string, string>;
  /** User metadata (x-amz-meta-*), names lower-case. */
  metadata: Record<string, string>;
  checksum?: StoredChecksum;
  /** Multipart objects: how many parts. */
  partsCount?: number;
  sse: Sse;
  retention?: Retention;
}

export interface S3Part {
  partNumber: number;
  etag: string;
  body: Buffer;
  lastModified: string;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface S3Upload {
  uploadId: string;
  key: string;
  initiated: string;
  initiatorArn: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  sse: Sse;
  retention?: Retention;
  parts: Map<number, S3Part>;
}

export interface S3Bucket {
  name: string;
  accountId: string;
  region: string;
  creationDate: string;
  /** Absent until versioning is first configured. */
  versioning?: 'Enabled' | 'Suspended';
  /** Default encryption of new objects (every bucket has one: SSE-S3 unless configured otherwise). */
  encryption: Sse;
  /** Absent after DeletePublicAccessBlock. */
  publicAccessBlock?: PublicAccessBlock;
  /** Present when Object Lock is enabled. */
  objectLock?: ObjectLockConfig;
  /** Versions of each key, oldest first; the last one is current (it may be a delete marker). */
  objects: Map<string, S3ObjectVersion[]>;
  uploads: Map<string, S3Upload>;
  /** Other accounts given object access (a stand-in for a bucket policy granting them s3:*Object, s3:ListBucket). */
  allowAccounts: string[];
}

export interface S3State {
  buckets: Map<string, S3Bucket>;
}

export function emptyS3(): S3State {
  return { buckets: new Map() };
}
