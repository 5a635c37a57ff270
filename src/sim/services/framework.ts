// What a simulated service is: a signing name, a protocol, an API version and a table of action handlers.
// A handler gets the caller's context and the decoded parameters and returns data shaped like the wire model;
// it throws AwsError for AWS errors. Mutating EC2 handlers call ctx.dryRunGate() after validating, before changing
// anything; the dispatcher turns that into DryRunOperation.
// REST-XML services (S3) are told apart by their protocol: they route a request by method, path and query to an
// action themselves, and their handlers answer with a status, headers and an XML document or raw bytes.

import type { FormObject, FormValue } from '../protocol/form.js';
import type { XmlData } from '../protocol/xml.js';
import type { RestReply, RestRequest } from '../protocol/rest-xml.js';
import type { AccountState, Principal, RegionState } from '../state/types.js';
import type { World } from '../state/world.js';
import { AwsError } from '../errors.js';

export interface CallContext {
  world: World;
  accountId: string;
  account: AccountState;
  regionName: string;
  region: RegionState;
  principal: Principal;
  requestId: string;
  action: string;
  dryRun: boolean;
  /** Throws DryRunOperation when the call is a DryRun; otherwise marks the world as mutated. */
  dryRunGate(): void;
  nowIso(): string;
}

export type Handler = (ctx: CallContext, p: FormObject) => XmlData | Promise<XmlData>;

export interface ServiceDef {
  /** The SigV4 signing name (credential scope service). */
  signingName: string;
  /** Distinguishes services that share a signing name (ELB classic vs ELBv2) by the Version parameter. */
  apiVersion: string;
  protocol: 'ec2' | 'query';
  xmlns: string;
  /** IAM action prefix, e.g. `ec2`, `autoscaling`, `elasticloadbalancing`. */
  iamPrefix: string;
  /** IAM and STS are global: their state lives on the account, whatever region the request was signed for. */
  global?: boolean;
  /** The error a denied call answers [awsQuery: 403 AccessDenied; SNS says AuthorizationError]. */
  denied?(principal: Principal, iamAction: string, params: FormObject): AwsError;
  actions: Record<string, Handler>;
}

/** One REST call as its handler sees it: the route's labels and query parameters, the headers and the raw body. */
export interface RestCall {
  method: string;
  /** Path labels and the query parameters the route names (`Bucket`, `Key`, `uploadId`, `partNumber` …). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

export type RestHandler = (ctx: CallContext, call: RestCall) => RestReply | Promise<RestReply>;

/** What an IAM check needs: the action (`s3:PutObject`) and the resource's ARN (for the AccessDenied message). */
export interface IamNeed {
  action: string;
  resource: string;
}

export interface RestServiceDef extends Omit<ServiceDef, 'protocol' | 'actions' | 'denied'> {
  protocol: 'rest-xml';
  /** The action a request is, with its labels (throws AwsError when no action matches). */
  route(req: RestRequest): { action: string; params: Record<string, string> };
  /** The IAM actions a call needs (several for CopyObject); default `<iamPrefix>:<action>`. */
  iamNeeds?(action: string, params: Record<string, string>): IamNeed[];
  /** Largest request body accepted, in bytes (query services: 8 MiB). */
  maxBody?: number;
  actions: Record<string, RestHandler>;
}

/** Any simulated service: a query-family one (EC2, awsQuery) or a REST-XML one (S3). */
export type AnyServiceDef = ServiceDef | RestServiceDef;

// ---- parameter helpers -------------------------------------------------------------------------------

export function str(p: FormObject, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' ? v : undefined;
}

export function reqStr(p: FormObject, key: string, code = 'MissingParameter'): string {
  const v = str(p, key);
  if (v === undefined || v === '') {
    throw new AwsError(code, `The request must contain the parameter ${key}`);
  }
  return v;
}

export function list(v: FormValue | undefined): FormValue[] {
  if (v === undefined || v === '') return [];
  if (Array.isArray(v)) return v;
  return [v];
}

export function strList(p: FormObject, key: string): string[] {
  return list(p[key]).filter((x): x is string => typeof x === 'string');
}

export function objList(p: FormObject, key: string): FormObject[] {
  return list(p[key]).filter((x): x is FormObject => typeof x === 'object' && !Array.isArray(x));
}

export function obj(p: FormObject, key: string): FormObject | undefined {
  const v = p[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

export function bool(p: FormObject, key: string): boolean | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new AwsError('InvalidParameterValue', `Value (${v}) for parameter ${key} is invalid. Expected a boolean.`);
}

export function int(p: FormObject, key: string): number | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw new AwsError('InvalidParameterValue', `Value (${v}) for parameter ${key} is invalid. Expected an integer.`);
  }
  return n;
}

/** EC2 `AttributeBooleanValue` / `AttributeValue` wrappers: `Key.Value=...`. */
export function attrValue(p: FormObject, key: string): string | undefined {
  const o = obj(p, key);
  if (o) return str(o, 'Value');
  return str(p, key);
}

// ---- tags --------------------------------------------------------------------------------------------

export function tagSet(tags: Record<string, string>): XmlData {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

// ---- pagination --------------------------------------------------------------------------------------

/** Pages a list with an opaque token. Token = base64 of the next offset (AWS tokens are opaque too). */
export function paginate<T>(
  items: T[],
  maxResults: number | undefined,
  token: string | undefined,
  min = 5,
  max = 1000,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new AwsError('InvalidNextToken', 'The specified NextToken is not valid.');
    start = decoded;
  }
  if (maxResults === undefined) return { page: items.slice(start) };
  if (maxResults < min || maxResults > max) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${maxResults}) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
    );
  }
  const page = items.slice(start, start + maxResults);
  const next = start + maxResults;
  return { page, nextToken: next < items.length ? Buffer.from(`o:${next}`).toString('base64url') : undefined };
}
