// Turns one HTTP request into one AWS answer: find the service from the SigV4 scope, the account from the
// access key, decode the form, apply faults, check permissions (and DryRun), run the handler, encode.

import { decodeForm, type FormObject } from './protocol/form.js';
import { parseCredentialScope } from './protocol/sigv4.js';
import { ec2Codec, queryCodec, type Codec, type WireResponse } from './protocol/codecs.js';
import { AwsError } from './errors.js';
import { isAllowed } from './permissions.js';
import type { CallContext, ServiceDef } from './services/framework.js';
import type { Principal } from './state/types.js';
import type { CallRecord, World } from './state/world.js';
import type { Faults } from './faults/faults.js';

export interface IncomingAwsRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What the server writes back: the wire answer plus the request id (sent as x-amzn-RequestId). */
export interface DispatchResult extends WireResponse {
  requestId: string;
}

/** The call log keeps at most this many records; the oldest tenth is dropped when it is full. */
export const CALL_LOG_LIMIT = 100_000;

/** Call sequence numbers per world: they keep growing when the log is cleared or trimmed, so `since` stays valid. */
const lastSeq = new WeakMap<World, number>();

function nextSeq(world: World): number {
  const n = (lastSeq.get(world) ?? world.calls.at(-1)?.seq ?? 0) + 1;
  lastSeq.set(world, n);
  return n;
}

export class Dispatcher {
  /** Services by SigV4 signing name (ELB classic and ELBv2 share one). */
  private readonly bySigningName = new Map<string, ServiceDef[]>();

  constructor(
    private readonly getWorld: () => World,
    services: ServiceDef[],
    private readonly faults: Faults,
  ) {
    for (const s of services) {
      const list = this.bySigningName.get(s.signingName) ?? [];
      list.push(s);
      this.bySigningName.set(s.signingName, list);
    }
  }

  private findService(
    signingName: string,
    version: string | undefined,
    action: string | undefined,
  ): ServiceDef | undefined {
    const candidates = this.bySigningName.get(signingName);
    if (!candidates) return undefined;
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

  private async dispatch(req: IncomingAwsRequest): Promise<DispatchResult> {
    const world = this.getWorld();
    const requestId = world.ids.uuid();
    const started = Date.now();
    const q = req.url.indexOf('?');
    const query = q >= 0 ? req.url.slice(q + 1) : '';
    const auth = req.headers.authorization;
    const scope = parseCredentialScope(
      Array.isArray(auth) ? auth[0] : auth,
      query.includes('X-Amz-Credential') ? new URLSearchParams(query) : undefined,
    );
    const params: FormObject = decodeForm(req.method === 'GET' || !req.body ? query : req.body);
    const action = typeof params.Action === 'string' ? params.Action : undefined;
    const version = typeof params.Version === 'string' ? params.Version : undefined;
    const service = scope ? this.findService(scope.service, version, action) : undefined;
    const codec: Codec = service?.protocol === 'query' ? queryCodec : ec2Codec;
    const xmlns = service?.xmlns ?? 'http://ec2.amazonaws.com/doc/2016-11-15/';

    const regionName = scope?.region ?? world.defaultRegion;
    const principal = scope ? this.principalFor(world, scope.accessKeyId) : undefined;
    const accountId = principal?.accountId ?? world.defaultAccountId;
    const dryRun = params.DryRun === 'true';
    const record = (outcome: 'ok' | 'error', status: number, errorCode?: string): void => {
      const { Action: _a, Version: _v, ...rest } = params;
      if (world.calls.length >= CALL_LOG_LIMIT) world.calls.splice(0, CALL_LOG_LIMIT / 10);
      const rec: CallRecord = {
        seq: nextSeq(world),
        time: world.clock.nowIso(),
        service: service?.iamPrefix ?? scope?.service ?? 'unknown',
        action: action ?? '',
        region: regionName,
        accountId,
        accessKeyId: scope?.accessKeyId ?? '',
        params: rest,
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
      if (!scope)
        throw new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      if (!service)
        throw new AwsError('InvalidAction', `The action ${action ?? '(none)'} is not valid for this web service.`, 400);
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.', 400);
      const handler = Object.prototype.hasOwnProperty.call(service.actions, action)
        ? service.actions[action]
        : undefined;
      if (!handler) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);

      const iamAction = `${service.iamPrefix}:${action}`;
      const callInfo = {
        service: service.iamPrefix,
        action,
        accountId,
        regionName,
        params,
        protocol: service.protocol,
      };
      let fault = this.faults.before(callInfo);
      if (fault instanceof Promise) fault = await fault;
      if (fault) throw fault;

      const p = principal!;
      if (p.expiresAt !== undefined && world.clock.now() > p.expiresAt) {
        throw service.protocol === 'ec2'
          ? new AwsError('RequestExpired', 'Request has expired.', 400)
          : new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
      }
      if (iamAction !== 'sts:GetCallerIdentity' && !isAllowed(p, iamAction)) {
        // AWS never denies GetCallerIdentity
        throw service.protocol === 'ec2'
          ? new AwsError(
              'UnauthorizedOperation',
              `You are not authorized to perform this operation. User: ${p.arn} is not authorized to perform: ${iamAction}`,
              403,
            )
          : new AwsError('AccessDenied', `User: ${p.arn} is not authorized to perform: ${iamAction}`, 403);
      }

      const region = service.global ? world.region(accountId, 'us-east-1') : world.region(accountId, regionName);
      const versionBefore = world.version;
      const ctx: CallContext = {
        world,
        accountId,
        account: world.account(accountId),
        regionName,
        region,
        principal: p,
        requestId,
        action,
        dryRun,
        dryRunGate() {
          if (dryRun)
            throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
          world.touch();
        },
        nowIso: () => world.clock.nowIso(),
      };
      const result = await handler(ctx, params);
      if (dryRun) {
        // A handler that never reached its gate still must not report success for a DryRun.
        if (world.version !== versionBefore) throw new Error(`DryRun of ${action} mutated the world`);
        throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      }
      if (world.version !== versionBefore) {
        for (const hook of world.afterChange) hook({ action, accountId, region: region.name });
      }
      const lost = this.faults.afterEffect?.(callInfo);
      if (lost) throw lost;
      const res = codec.success(action, result, requestId, xmlns);
      record('ok', res.status);
      return { ...res, requestId };
    } catch (e) {
      const ae =
        e instanceof AwsError
          ? e
          : service?.protocol === 'query'
            ? new AwsError(
                'InternalFailure',
                'The request processing has failed because of an unknown error, exception or failure.',
                500,
              )
            : new AwsError('InternalError', 'An internal error has occurred', 500);
      if (!(e instanceof AwsError)) console.error('cordon sim: handler failure', e);
      const res = codec.error(ae, requestId, xmlns);
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
