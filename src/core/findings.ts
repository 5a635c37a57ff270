// What an automation event asks cordon to act on: a GuardDuty finding from EventBridge, Security Hub findings (a
// custom action, or findings imported), or a direct invoke naming targets. Pure: parsing, the finding-type and
// severity filters, and the severity scale. Shapes: shared/reference/automation-facts.md §1–§2 (GuardDuty `detail` is
// camelCase, Security Hub's ASFF is PascalCase).

import { CordonError, EXIT } from './errors.js';
import { INSTANCE_ID, parseTarget, type Target } from './targets.js';

export type EventSource = 'guardduty' | 'securityhub' | 'direct';

/** One finding that names an EC2 instance. */
export interface InstanceFinding {
  source: 'guardduty' | 'securityhub';
  /** GuardDuty: the 32-hex finding id; Security Hub: the ASFF Id (for GuardDuty findings, the finding's ARN). */
  id: string;
  /** GuardDuty type (Backdoor:EC2/C&CActivity.B!DNS); for Security Hub, every name it can be matched by. */
  types: string[];
  /** On GuardDuty's scale, 0–10 (Security Hub severities mapped: severityFromAsff). */
  severity: number;
  title?: string;
  updatedAt?: string;
  /** How many times GuardDuty saw it (service.count): it grows as the same finding recurs. */
  count?: number;
  target: Target & { region: string; accountId: string };
}

export interface ParsedEvent {
  source: EventSource;
  findings: InstanceFinding[];
  /** Direct invoke: the targets named (no finding, so no filter applies). */
  targets: Target[];
  /** Direct invoke: the options object, unvalidated (the handler checks it against the option table). */
  options?: Record<string, unknown>;
  /** Findings that name no EC2 instance (an access key, an S3 bucket …): nothing to contain. */
  notInstances: { id: string; reason: string }[];
}

const GD_DETAIL_TYPE = 'GuardDuty Finding';
const SH_DETAIL_TYPES = ['Security Hub Findings - Custom Action', 'Security Hub Findings - Imported'];
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const bad = (message: string, hint?: string): CordonError =>
  new CordonError(
    'bad-event',
    `${message}; nothing was changed`,
    EXIT.usage,
    hint ??
      'cordon takes a GuardDuty finding, a Security Hub custom action (or imported findings) from EventBridge, or {"targets": [instance ids or ARNs], "options": {…}}',
  );

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function parseEvent(event: unknown): ParsedEvent {
  if (!isObject(event))
    throw bad(
      `the event is ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}, not a JSON object`,
    );
  const detailType = event['detail-type'];
  if (detailType === GD_DETAIL_TYPE) return parseGuardDuty(event);
  if (typeof detailType === 'string' && SH_DETAIL_TYPES.includes(detailType)) return parseSecurityHub(event);
  if (detailType !== undefined)
    throw bad(
      `events of detail-type "${String(detailType)}" are not handled`,
      `route only "${GD_DETAIL_TYPE}" and "${SH_DETAIL_TYPES.join('" / "')}" to cordon (filter on detail-type in the EventBridge rule)`,
    );
  if ('targets' in event) return parseDirect(event);
  throw bad('the event has neither a detail-type (EventBridge) nor targets (direct invoke)');
}

function parseDirect(event: Record<string, unknown>): ParsedEvent {
  for (const k of Object.keys(event))
    if (k !== 'targets' && k !== 'options') throw bad(`direct invoke: unknown field "${k}" (give targets and options)`);
  const list = event.targets;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string'))
    throw bad('direct invoke: targets must be a non-empty array of instance ids or instance ARNs');
  if (event.options !== undefined && !isObject(event.options)) throw bad('direct invoke: options must be an object');
  const targets = (list as string[]).map((s, i) => {
    try {
      return parseTarget(s, `targets[${i}]`);
    } catch (e) {
      throw bad((e as Error).message, (e as CordonError).hint);
    }
  });
  return {
    source: 'direct',
    findings: [],
    targets,
    options: event.options as Record<string, unknown> | undefined,
    notInstances: [],
  };
}

function parseGuardDuty(event: Record<string, unknown>): ParsedEvent {
  if (event.source !== 'aws.guardduty')
    throw bad(`a "${GD_DETAIL_TYPE}" event from source "${String(event.source)}", not aws.guardduty`);
  const d = event.detail;
  if (!isObject(d)) throw bad('GuardDuty event: detail is missing or not an object');
  if (isObject(d.Resource) && !isObject(d.resource))
    throw bad(
      'GuardDuty event: detail uses PascalCase keys (Resource, InstanceDetails) — real events are camelCase, as GetFindings returns them',
      'send the event as EventBridge delivers it (detail.resource.instanceDetails.instanceId)',
    );
  const id = typeof d.id === 'string' && d.id ? d.id : undefined;
  if (!id) throw bad('GuardDuty event: detail.id is missing');
  const type = d.type;
  if (typeof type !== 'string' || !type) throw bad(`GuardDuty finding ${id}: detail.type is missing`);
  const severity = d.severity;
  if (typeof severity !== 'number' || !Number.isFinite(severity) || severity < 0 || severity > 10)
    throw bad(
      `GuardDuty finding ${id}: detail.severity must be a number from 0 to 10, not ${JSON.stringify(severity)}`,
    );
  const resource = isObject(d.resource) ? d.resource : undefined;
  const details = resource && isObject(resource.instanceDetails) ? resource.instanceDetails : undefined;
  const instanceId = details?.instanceId;
  if (instanceId === undefined)
    return {
      source: 'guardduty',
      findings: [],
      targets: [],
      notInstances: [
        {
          id,
          reason: `a ${type} finding on a resource of type ${String(resource?.resourceType ?? 'unknown')}, not an EC2 instance`,
        },
      ],
    };
  if (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId))
    throw bad(
      `GuardDuty finding ${id}: detail.resource.instanceDetails.instanceId ${JSON.stringify(instanceId)} is not an instance id`,
    );
  // The instance's account and region are the finding's (a member account's finding can reach the administrator
  // account's bus); the envelope's are the fallback.
  const accountId = str(d.accountId) ?? str(event.account);
  const region = str(d.region) ?? str(event.region);
  if (!accountId || !ACCOUNT.test(accountId))
    throw bad(`GuardDuty finding ${id}: no 12-digit account id (detail.accountId, account)`);
  if (!region || !REGION.test(region)) throw bad(`GuardDuty finding ${id}: no region (detail.region, region)`);
  const service = isObject(d.service) ? d.service : {};
  const partition = str(d.partition) ?? partitionOfArn(str(d.arn)) ?? 'aws';
  return {
    source: 'guardduty',
    findings: [
      {
        source: 'guardduty',
        id,
        types: [type],
        severity,
        title: str(d.title),
        updatedAt: str(d.updatedAt),
        count: typeof service.count === 'number' ? service.count : undefined,
        target: {
          instanceId,
          region,
          accountId,
          partition,
          source: `arn:${partition}:ec2:${region}:${accountId}:instance/${instanceId}`,
        },
      },
    ],
    targets: [],
    notInstances: [],
  };
}

function parseSecurityHub(event: Record<string, unknown>): ParsedEvent {
  if (event.source !== 'aws.securityhub')
    throw bad(`a Security Hub event from source "${String(event.source)}", not aws.securityhub`);
  const d = event.detail;
  const list = isObject(d) ? d.findings : undefined;
  if (!Array.isArray(list) || list.length === 0) throw bad('Security Hub event: detail.findings is missing or empty');
  const findings: InstanceFinding[] = [];
  const notInstances: ParsedEvent['notInstances'] = [];
  list.forEach((f, k) => {
    if (!isObject(f)) throw bad(`Security Hub event: detail.findings[${k}] is not an object`);
    const id = str(f.Id);
    if (!id) throw bad(`Security Hub event: detail.findings[${k}].Id is missing`);
    if (!Array.isArray(f.Resources)) throw bad(`Security Hub finding ${id}: Resources is missing`);
    const severity = severityFromAsff(f);
    if (severity === undefined)
      throw bad(`Security Hub finding ${id}: Severity has no Label, Normalized or (for GuardDuty) Product value`);
    const instances = (f.Resources as unknown[]).filter((r) => isObject(r) && r.Type === 'AwsEc2Instance') as Record<
      string,
      unknown
    >[];
    if (instances.length === 0) {
      const kinds = (f.Resources as unknown[]).map((r) => (isObject(r) ? String(r.Type) : '?')).join(', ');
      notInstances.push({ id, reason: `its resources are ${kinds || 'none'}, no AwsEc2Instance` });
      return;
    }
    for (const r of instances) {
      const arn = str(r.Id);
      let t: Target;
      try {
        t = parseTarget(arn ?? '', `Security Hub finding ${id}`);
      } catch {
        throw bad(
          `Security Hub finding ${id}: AwsEc2Instance resource Id ${JSON.stringify(r.Id)} is not an instance ARN`,
          'ASFF names instances as arn:aws:ec2:REGION:ACCOUNT:instance/i-…',
        );
      }
      if (!t.accountId || !t.region) throw bad(`Security Hub finding ${id}: resource Id ${arn} is not an instance ARN`);
      findings.push({
        source: 'securityhub',
        id,
        types: asffTypeNames(f.Types),
        severity,
        title: str(f.Title),
        updatedAt: str(f.UpdatedAt),
        target: { ...t, region: t.region, accountId: t.accountId },
      });
    }
  });
  return { source: 'securityhub', findings, targets: [], notInstances };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function partitionOfArn(arn: string | undefined): string | undefined {
  return arn ? /^arn:([a-z-]+):/.exec(arn)?.[1] : undefined;
}

/** Security Hub's labels on GuardDuty's scale: the lower bound of GuardDuty's band for that label. */
export const LABEL_SEVERITY: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 4, HIGH: 7, CRITICAL: 9 };

/**
 * An ASFF finding's severity on GuardDuty's 0–10 scale: a GuardDuty finding's own severity (Severity.Product, when
 * the product is GuardDuty); otherwise Severity.Normalized / 10 (Security Hub maps GuardDuty's 8 to 80); otherwise
 * the Label's band, at its lower bound (LOW 1, MEDIUM 4, HIGH 7, CRITICAL 9, INFORMATIONAL 0).
 */
export function severityFromAsff(f: Record<string, unknown>): number | undefined {
  const s = isObject(f.Severity) ? f.Severity : undefined;
  if (!s) return undefined;
  const fromGuardDuty = typeof f.ProductArn === 'string' && f.ProductArn.endsWith(':product/aws/guardduty');
  if (fromGuardDuty && typeof s.Product === 'number' && s.Product >= 0 && s.Product <= 10) return s.Product;
  if (typeof s.Normalized === 'number' && s.Normalized >= 0 && s.Normalized <= 100) return s.Normalized / 10;
  if (typeof s.Label === 'string' && s.Label in LABEL_SEVERITY) return LABEL_SEVERITY[s.Label];
  return undefined;
}

/**
 * Every name an ASFF finding's Types can be matched by: each entry (`TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce`),
 * its last segment, and the GuardDuty type Security Hub rewrote into it (`UnauthorizedAccess:EC2/SSHBruteForce`).
 */
export function asffTypeNames(types: unknown): string[] {
  const out = new Set<string>();
  for (const t of Array.isArray(types) ? types : []) {
    if (typeof t !== 'string' || !t) continue;
    out.add(t);
    const last = t.slice(t.lastIndexOf('/') + 1);
    out.add(last);
    const gd = /^([A-Za-z]+):([A-Za-z0-9]+)[-.](.+)$/.exec(last);
    if (gd) out.add(`${gd[1]}:${gd[2]}/${gd[3]}`);
  }
  return [...out];
}

/** CORDON_FINDING_TYPES: a comma list of types, each exact or a glob where * matches anything (Backdoor:EC2/*). */
export function parseTypePatterns(s: string | undefined): RegExp[] | undefined {
  const items = (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0) return undefined;
  return items.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ),
  );
}

export interface FindingFilter {
  types?: RegExp[];
  /** GuardDuty scale. */
  minSeverity?: number;
}

/** Why a finding is not acted on, or undefined when it passes the filters. */
export function filteredOut(f: InstanceFinding, filter: FindingFilter): string | undefined {
  if (filter.minSeverity !== undefined && f.severity < filter.minSeverity)
    return `severity ${f.severity} is below CORDON_MIN_SEVERITY ${filter.minSeverity}`;
  if (filter.types && !f.types.some((t) => filter.types!.some((p) => p.test(t))))
    return `type ${f.types[0] ?? '(none)'} is not in CORDON_FINDING_TYPES`;
  return undefined;
}
