// Turns one HTTP request into one AWS answer: find the service from the SigV4 scope, the account from the
// access key, decode the request (a query form, or a REST route), apply faults, check permissions (and DryRun),
// run the handler, encode.

import { decodeForm, type FormObject } from './protocol/form.js';
import { parseCredentialScope, type CredentialScope } from './protocol/sigv4.js';
import { ec2Codec, queryCodec, type Codec, type WireResponse } from './protocol/codecs.js';
import { encodeRestError, encodeRestReply, flatHeaders, type RestRequest } from './protocol/rest-xml.js';
import { AwsError } from './errors.js';
import { isAllowed } from './permissions.js';
import type { AnyServiceDef, CallContext, IamNeed, RestServiceDef, ServiceDef } from './services/framework.js';
import type { Principal } from './state/types.js';
import type { CallRecord, World } from './state/world.js';
import type { CallInfo, Faults } from './faults/faults.js';

export interface IncomingAwsRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer;
}

/** What the server writes back: the wire answer plus the request id (sent as x-amzn-RequestId). */
export interface DispatchResult extends WireResponse {
  requestId: string;
}

/** The call log keeps at most this many records; the oldest tenth is dropped when it is full. */
export const CALL_LOG_LIMIT = 100_000;

/** Largest request body of the query services (and of any request whose service is not known yet). */
export const QUERY_MAX_BODY = 8 * 1024 * 1024;

/** Call sequence numbers per world: they keep growing when the log is cleared or trimmed, so `since` stays valid. */
const lastSeq = new WeakMap<World, number>();

function nextSeq(world: World): number {
  const n = (lastSeq.get(world) ?? world.calls.at(-1)?.seq ?? 0) + 1;
  lastSeq.set(world, n);
  return n;
}

/** One request, decoded by its protocol: what the common pipeline needs to run it and to answer. */
interface Prepared {
  service?: AnyServiceDef;
  action?: string;
  /** Decoded parameters: logged, and matched by fault rules. */
  params: FormObject;
  dryRun: boolean;
  /** An answer due before anything runs (no scope, unknown action, no route). */
  early?: AwsError;
  needs(service: AnyServiceDef, action: string): IamNeed[];
  invoke(ctx: CallContext): Promise<WireResponse>;
  error(e: AwsError): WireResponse;
}

const INTERNAL: Record<AnyServiceDef['protocol'], () => AwsError> = {
  ec2: () => new AwsError('InternalError', 'An internal error has occurred', 500),
  query: () =>
    new AwsError(
      'InternalFailure',
      'The request processing has failed because of an unknown error, exception or failure.',
      500,
    ),
  'rest-xml': () => new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500),
};

function denied(service: AnyServiceDef, p: Principal, need: IamNeed, params: FormObject): AwsError {
  if (service.protocol === 'ec2')
    return new AwsError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. User: ${p.arn} is not authorized to perform: ${need.action}`,
      403,
    );
  if (service.protocol === 'rest-xml')
    return new AwsError(
      'AccessDenied',
      `User: ${p.arn} is not authorized to perform: ${need.action} on resource: "${need.resource}" because no identity-based policy allows the ${need.action} action`,
      403,
    );
  return (
    service.denied?.(p, need.action, params) ??
    new AwsError('AccessDenied', `User: ${p.arn} is not authorized to perform: ${need.action}`, 403)
  );
}

function expired(service: AnyServiceDef): AwsError {
  if (service.protocol === 'ec2') return new AwsError('RequestExpired', 'Request has expired.', 400);
  if (service.protocol === 'rest-xml') return new AwsError('ExpiredToken', 'The provided token has expired.', 400);
  return new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
}

export class Dispatcher {
  /** Services by SigV4 signing name (ELB classic and ELBv2 share one). */
  private readonly bySigningName = new Map<string, AnyServiceDef[]>();

  constructor(
    private readonly getWorld: () => World,
    services: AnyServiceDef[],
    private readonly faults: Faults,
  ) {
    for (const s of services) {
      const list = this.bySigningName.get(s.signingName) ?? [];
      list.push(s);
      this.bySigningName.set(s.signingName, list);
    }
  }

  private scopeOf(headers: IncomingAwsRequest['headers'], query: string): CredentialScope | undefined {
    const auth = headers.authorization;
    return parseCredentialScope(
      Array.isArray(auth) ? auth[0] : auth,
      query.includes('X-Amz-Credential') ? new URLSearchParams(query) : undefined,
    );
  }

  private restService(signingName: string): RestServiceDef | undefined {
    const s = this.bySigningName.get(signingName)?.[0];
    return s?.protocol === 'rest-xml' ? s : undefined;
  }

  /** The largest body accepted for a request, decided from its headers before the body is read. */
  maxBody(url: string, headers: IncomingAwsRequest['headers']): number {
    const q = url.indexOf('?');
    const scope = this.scopeOf(headers, q >= 0 ? url.slice(q + 1) : '');
    const rest = scope ? this.restService(scope.service) : undefined;
    return rest?.maxBody ?? QUERY_MAX_BODY;
  }

  private findService(
    signingName: string,
    version: string | undefined,
    action: string | undefined,
  ): ServiceDef | undefined {
    const candidates = this.bySigningName.get(signingName)?.filter((s): s is ServiceDef => s.protocol !== 'rest-xml');
    if (!candidates?.length) return undefined;
    if (candidates.length === 1) return candidates[0];
    return (
      candidates.find((s) => s.apiVersion === version) ??
      candidates.find((s) => action !== undefined && Object.prototype.hasOwnProperty.call(s.actions, action)) ??
      candidates[0]
    );
  }

  /** Never throws: anything unexpected becomes an InternalError in the EC2 error envelope. */
  async handle(req: IncomingAwsRequest): Promise<DispatchResult> {
    try {
      return await this.dispatch(req);
    } catch (e) {
      console.error('cordon sim: request failure', e);
      return {
        ...ec2Codec.error(new AwsError('InternalError', 'An internal error has occurred', 500), 'none', ''),
        requestId: 'none',
      };
    }
  }

  /** A query-family request (EC2, awsQuery): a form body or query string with Action and Version. */
  private prepareQuery(
    req: IncomingAwsRequest,
    query: string,
    scope: CredentialScope | undefined,
    requestId: string,
  ): Prepared {
    const body = typeof req.body === 'string' ? req.body : req.body.toString('utf8');
    const params: FormObject = decodeForm(req.method === 'GET' || !body ? query : body);
    const action = typeof params.Action === 'string' ? params.Action : undefined;
    const version = typeof params.Version === 'string' ? params.Version : undefined;
    const service = scope ? this.findService(scope.service, version, action) : undefined;
    const codec: Codec = service?.protocol === 'query' ? queryCodec : ec2Codec;
    const xmlns = service?.xmlns ?? 'http://ec2.amazonaws.com/doc/2016-11-15/';
    const { Action: _a, Version: _v, ...rest } = params;
    let early: AwsError | undefined;
    if (!scope)
      early = new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    else if (!service)
      early = new AwsError('InvalidAction', `The action ${action ?? '(none)'} is not valid for this web service.`, 400);
    else if (!action) early = new AwsError('MissingAction', 'The request must contain the parameter Action.', 400);
    else if (!Object.prototype.hasOwnProperty.call(service.actions, action))
      early = new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
    return {
      service,
      action,
      params: rest,
      dryRun: params.DryRun === 'true',
      early,
      needs: (s, a) => [{ action: `${s.iamPrefix}:${a}`, resource: '*' }],
      invoke: async (ctx) =>
        codec.success(ctx.action, await service!.actions[ctx.action]!(ctx, params), requestId, xmlns),
      error: (e) => codec.error(e, requestId, xmlns),
    };
  }

  /** A REST-XML request (S3): the service routes it by method, path and query. */
  private prepareRest(service: RestServiceDef, req: IncomingAwsRequest, query: string, requestId: string): Prepared {
    const q = req.url.indexOf('?');
    const rest: RestRequest = {
      method: req.method,
      path: q >= 0 ? req.url.slice(0, q) : req.url,
      query: new URLSearchParams(query),
      headers: flatHeaders(req.headers),
      body: typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body,
    };
    const error = (e: AwsError): WireResponse => encodeRestError(e, requestId, req.method);
    let route: { action: string; params: Record<string, string> } | undefined;
    let early: AwsError | undefined;
    try {
      route = service.route(rest);
      if (!Object.prototype.hasOwnProperty.call(service.actions, route.action))
        early = new AwsError(
          'NotImplemented',
          'A header you provided implies functionality that is not implemented',
          501,
        );
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      early = e;
    }
    const params = route?.params ?? {};
    return {
      service,
      action: route?.action,
      params,
      dryRun: false,
      early,
      needs: (s, a) => service.iamNeeds?.(a, params) ?? [{ action: `${s.iamPrefix}:${a}`, resource: '*' }],
      invoke: async (ctx) => {
        const reply = await service.actions[ctx.action]!(ctx, {
          method: req.method,
          params,
          query: rest.query,
          headers: rest.headers,
          body: rest.body,
        });
        return encodeRestReply(reply, service.xmlns, requestId, req.method);
      },
      error,
    };
  }

  private async dispatch(req: IncomingAwsRequest): Promise<DispatchResult> {
    const world = this.getWorld();
    const requestId = world.ids.uuid();
    const started = Date.now();
    const q = req.url.indexOf('?');
    const query = q >= 0 ? req.url.slice(q + 1) : '';
    const scope = this.scopeOf(req.headers, query);
    const restService = scope ? this.restService(scope.service) : undefined;
    const call = restService
      ? this.prepareRest(restService, req, query, requestId)
      : this.prepareQuery(req, query, scope, requestId);
    const { service, action, params, dryRun } = call;

    const regionName = scope?.region ?? world.defaultRegion;
    const principal = scope ? this.principalFor(world, scope.accessKeyId) : undefined;
    const accountId = principal?.accountId ?? world.defaultAccountId;
    const record = (outcome: 'ok' | 'error', status: number, errorCode?: string): void => {
      if (world.calls.length >= CALL_LOG_LIMIT) world.calls.splice(0, CALL_LOG_LIMIT / 10);
      const rec: CallRecord = {
        seq: nextSeq(world),
        time: world.clock.nowIso(),
        service: service?.iamPrefix ?? scope?.service ?? 'unknown',
        action: action ?? '',
        region: regionName,
        accountId,
        accessKeyId: scope?.accessKeyId ?? '',
        params,
        dryRun,
        outcome,
        errorCode,
        status,
        requestId,
        durationMs: Date.now() - started,
      };
      world.calls.push(rec);
      for (const hook of world.afterCall) hook(rec);
    };

    try {
      if (call.early) throw call.early;
      const svc = service!;
      const act = action!;
      const callInfo: CallInfo = {
        service: svc.iamPrefix,
        action: act,
        accountId,
        regionName,
        params,
        protocol: svc.protocol,
      };
      let fault = this.faults.before(callInfo);
      if (fault instanceof Promise) fault = await fault;
      if (fault) throw fault;

      const p = principal!;
      if (p.expiresAt !== undefined && world.clock.now() > p.expiresAt) throw expired(svc);
      for (const need of call.needs(svc, act)) {
        // AWS never denies GetCallerIdentity
        if (need.action !== 'sts:GetCallerIdentity' && !isAllowed(p, need.action)) throw denied(svc, p, need, params);
      }

      const region = svc.global ? world.region(accountId, 'us-east-1') : world.region(accountId, regionName);
      const versionBefore = world.version;
      const ctx: CallContext = {
        world,
        accountId,
        account: world.account(accountId),
        regionName,
        region,
        principal: p,
        requestId,
        action: act,
        dryRun,
        dryRunGate() {
          if (dryRun)
            throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
          world.touch();
        },
        nowIso: () => world.clock.nowIso(),
      };
      const res = await call.invoke(ctx);
      if (dryRun) {
        // A handler that never reached its gate still must not report success for a DryRun.
        if (world.version !== versionBefore) throw new Error(`DryRun of ${act} mutated the world`);
        throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      }
      if (world.version !== versionBefore) {
        for (const hook of world.afterChange) hook({ action: act, accountId, region: region.name });
      }
      const lost = this.faults.afterEffect?.(callInfo);
      if (lost) throw lost;
      record('ok', res.status);
      return { ...res, requestId };
    } catch (e) {
      const ae = e instanceof AwsError ? e : INTERNAL[service?.protocol ?? 'ec2']();
      if (!(e instanceof AwsError)) console.error('cordon sim: handler failure', e);
      const res = call.error(ae);
      record('error', res.status, ae.code);
      return { ...res, requestId };
    }
  }

  private principalFor(world: World, accessKeyId: string): Principal {
    const known = world.principals.get(accessKeyId);
    if (known) return known;
    // Unknown keys act as an all-powerful user of the scenario's default account.
    return {
      accessKeyId,
      secretAccessKey: '',
      accountId: world.defaultAccountId,
      arn: `arn:aws:iam::${world.defaultAccountId}:user/sim-user`,
      userId: 'AIDASIMULATEDUSER0001',
    };
  }
}
