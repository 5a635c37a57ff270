// Turns one HTTP request into one AWS answer: find the service from the SigV4 scope, the account from the
// access key, decode the form, apply faults, check permissions (and DryRun), run the handler, encode.

import { decodeForm, type FormObject } from './protocol/form.js';
import { parseCredentialScope } from './protocol/sigv4.js';
import { ec2Codec, queryCodec, type Codec, type WireResponse } from './protocol/codecs.js';
import { AwsError } from './errors.js';
import { isAllowed } from './permissions.js';
import type { CallContext, ServiceDef } from './services/framework.js';
import type { Principal } from './state/types.js';
import type { World } from './state/world.js';
import type { Faults } from './faults/faults.js';

export interface IncomingAwsRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class Dispatcher {
  constructor(
    private readonly getWorld: () => World,
    private readonly services: ServiceDef[],
    private readonly faults: Faults,
  ) {}

  private findService(signingName: string, version: string | undefined, action: string | undefined): ServiceDef | undefined {
    const candidates = this.services.filter((s) => s.signingName === signingName);
    if (candidates.length <= 1) return candidates[0];
    return (
      candidates.find((s) => s.apiVersion === version) ??
      candidates.find((s) => action !== undefined && action in s.actions) ??
      candidates[0]
    );
  }

  async handle(req: IncomingAwsRequest): Promise<WireResponse> {
    const world = this.getWorld();
    const requestId = world.ids.uuid();
    const started = Date.now();
    const url = new URL(req.url, 'http://127.0.0.1');
    const header = (name: string): string | undefined => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const scope = parseCredentialScope(header('authorization'), url.searchParams);
    const params: FormObject = decodeForm(req.method === 'GET' ? url.search.slice(1) : req.body);
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
      world.calls.push({
        seq: world.calls.length + 1,
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
      });
    };

    try {
      if (!scope) throw new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      if (!service) throw new AwsError('InvalidAction', `The action ${action ?? '(none)'} is not valid for this web service.`, 400);
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.', 400);
      const handler = Object.prototype.hasOwnProperty.call(service.actions, action) ? service.actions[action] : undefined;
      if (!handler) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);

      const iamAction = `${service.iamPrefix}:${action}`;
      const fault = await this.faults.before({ service: service.iamPrefix, action, accountId, regionName, params, protocol: service.protocol });
      if (fault) throw fault;

      const p = principal!;
      if (p.expiresAt !== undefined && world.clock.now() > p.expiresAt) {
        throw service.protocol === 'ec2'
          ? new AwsError('RequestExpired', 'Request has expired.', 400)
          : new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
      }
      if (!isAllowed(p, iamAction)) {
        throw service.protocol === 'ec2'
          ? new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. User: ${p.arn} is not authorized to perform: ${iamAction}`, 403)
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
          if (dryRun) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
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
      const res = codec.success(action, result, requestId, xmlns);
      record('ok', res.status);
      return res;
    } catch (e) {
      const ae = e instanceof AwsError ? e : new AwsError('InternalError', 'An internal error has occurred', 500);
      if (!(e instanceof AwsError)) console.error('cordon sim: handler failure', e);
      const res = codec.error(ae, requestId, xmlns);
      record('error', res.status, ae.code);
      return res;
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
