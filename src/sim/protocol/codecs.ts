// The two query-family wire protocols the simulated services speak. One codec each; both are generic over
// actions: a handler's result object is serialised by walking it (see xml.ts).
//   ec2Query: <OpResponse xmlns=…><requestId/>…fields…</OpResponse>; lists as <item>; errors as
//             <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
//   awsQuery: <OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata>
//             </OpResponse>; lists as <member>; errors as
//             <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.

import { toXml, escapeXml, type XmlData } from './xml.js';
import type { AwsError } from '../errors.js';

export interface WireResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
  /** Further response headers (REST-XML: ETag, Content-Length, x-amz-checksum-* …). */
  headers?: Record<string, string>;
}

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The query codecs answer with text. */
export type TextResponse = WireResponse & { body: string };

export interface Codec {
  success(action: string, result: XmlData, requestId: string, xmlns: string): TextResponse;
  error(e: AwsError, requestId: string, xmlns: string): TextResponse;
}

export const ec2Codec: Codec = {
  success(action, result, requestId, xmlns) {
    const fields =
      result && typeof result === 'object' && !Array.isArray(result) && !(result instanceof Date)
        ? result
        : { return: result ?? true };
    const body = toXml(`${action}Response`, { requestId, ...fields }, 'item', ` xmlns="${xmlns}"`);
    return { status: 200, contentType: 'text/xml;charset=UTF-8', body: DECL + body };
  },
  error(e, requestId) {
    const body =
      `<Response><Errors><Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error></Errors>` +
      `<RequestID>${escapeXml(requestId)}</RequestID></Response>`;
    return { status: e.status, contentType: 'text/xml;charset=UTF-8', body: DECL + body };
  },
};

export const queryCodec: Codec = {
  success(action, result, requestId, xmlns) {
    const inner = result === undefined || result === null ? '' : toXml(`${action}Result`, result, 'member');
    const body =
      `<${action}Response xmlns="${xmlns}">${inner}` +
      `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
    return { status: 200, contentType: 'text/xml', body: DECL + body };
  },
  error(e, requestId, xmlns) {
    const body =
      `<ErrorResponse xmlns="${xmlns}"><Error><Type>${e.type}</Type><Code>${escapeXml(e.code)}</Code>` +
      `<Message>${escapeXml(e.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
    return { status: e.status, contentType: 'text/xml', body: DECL + body };
  },
};
