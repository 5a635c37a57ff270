// The REST-XML wire protocol (S3): an operation is a method on a path with query parameters; input comes in
// headers, labels and an XML or raw body; output goes out the same way. Success documents are XML with flattened
// lists (see xml.ts); errors are <Error><Code/><Message/>…details…<RequestId/><HostId/></Error>, and HEAD answers
// carry no body at all (clients read the status). S3 names its request id x-amz-request-id, with x-amz-id-2 beside it.

import { createHash } from 'node:crypto';
import type { AwsError } from '../errors.js';
import type { WireResponse } from './codecs.js';
import { escapeXml, toFlatXml, type XmlData } from './xml.js';

export interface RestRequest {
  method: string;
  /** The raw path, still percent-encoded (`/bucket/a%20b`). */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

/** A REST handler's answer: a status [200], headers, and an XML document or raw bytes (or nothing). */
export interface RestReply {
  status?: number;
  headers?: Record<string, string | number | undefined>;
  xml?: { root: string; data: XmlData };
  body?: Buffer;
  /** Content-Type of a raw body [application/octet-stream]. */
  contentType?: string;
}

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Headers as Node gives them (`string | string[] | undefined`) → lower-case names, single strings. */
export function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** S3's second request id (x-amz-id-2): opaque; derived from the request id so it is stable in tests. */
function hostId(requestId: string): string {
  return createHash('sha256').update(requestId).digest('base64');
}

function idHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) };
}

export function encodeRestReply(reply: RestReply, xmlns: string, requestId: string, method: string): WireResponse {
  const headers: Record<string, string> = idHeaders(requestId);
  for (const [k, v] of Object.entries(reply.headers ?? {})) if (v !== undefined) headers[k] = String(v);
  const status = reply.status ?? 200;
  if (reply.xml) {
    const body = DECL + toFlatXml(reply.xml.root, reply.xml.data, ` xmlns="${xmlns}"`);
    return { status, contentType: 'application/xml', body: method === 'HEAD' ? '' : body, headers };
  }
  const body = reply.body ?? Buffer.alloc(0);
  if (method === 'HEAD') return { status, contentType: reply.contentType ?? 'application/xml', body: '', headers };
  headers['content-length'] ??= String(body.length);
  return { status, contentType: reply.contentType ?? 'application/octet-stream', body, headers };
}

export function encodeRestError(e: AwsError, requestId: string, method: string): WireResponse {
  const headers = { ...idHeaders(requestId), ...(e.headers ?? {}) };
  if (method === 'HEAD') return { status: e.status, contentType: 'application/xml', body: '', headers };
  let details = '';
  for (const [k, v] of Object.entries(e.details ?? {})) details += `<${k}>${escapeXml(v)}</${k}>`;
  const body =
    `${DECL}<Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message>${details}` +
    `<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(hostId(requestId))}</HostId></Error>`;
  return { status: e.status, contentType: 'application/xml', body, headers };
}
