// CordonResponder: GuardDuty findings and a Security Hub custom action → the cordon Lambda (plan or contain), an
// org fan-out state machine (targets grouped by account × region, one worker Lambda per group), the S3 bucket for
// the journal and evidence, the SNS topic for results. The containment permissions come from the steps' own
// declarations through `leastPrivilegePolicy` (./policy.ts), never from a list kept here.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { GROUP_TARGETS_SOURCE } from './group-targets.js';
import { containOptions, flagEnvironment, optionFlags, type CordonOptions } from './options.js';
import { toPolicyStatements, cordonPolicy } from './policy.js';

/** GuardDuty finding type prefixes that mean the instance itself is compromised (or acting for an attacker). */
export const DEFAULT_FINDING_TYPES = [
  'Backdoor:EC2/',
  'CryptoCurrency:EC2/',
  'Impact:EC2/',
  'Trojan:EC2/',
  'UnauthorizedAccess:EC2/',
];

/** GuardDuty High (7.0–8.9) and Critical (9.0–10.0). */
export const DEFAULT_MIN_SEVERITY = 7;
export const DEFAULT_MEMBER_ROLE_NAME = 'CordonResponder';
/** The responder's Lambda execution role is named `<prefix>-<region>`; member roles trust `<prefix>-*`. */
export const DEFAULT_EXECUTION_ROLE_PREFIX = 'CordonResponderLambda';
export const DEFAULT_MAP_CONCURRENCY = 10;
export const DEFAULT_STATE_PREFIX = 'cordon';

/** `<repo>/dist/lambda`, where `npm run build:lambda` writes the handler bundle. */
export const DEFAULT_CODE_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/lambda');

export type CordonMode = 'plan' | 'contain';

export interface ObjectLockProps {
  /** Default `GOVERNANCE` (an administrator with s3:BypassGovernanceRetention can still remove a mistake). */
  readonly mode?: 'GOVERNANCE' | 'COMPLIANCE';
  /** Default retention in days; default 365. */
  readonly days?: number;
}

export interface SecurityHubActionProps {
  /** The custom action's Id (≤ 20 alphanumeric characters; ends its ARN). Default `CordonContain`. */
  readonly id?: string;
  /** The name shown in the Security Hub console (≤ 20 characters). Default `Cordon contain`. */
  readonly name?: string;
  readonly description?: string;
}

export interface CordonResponderProps {
  /** `plan` (default): plan and DryRun only, publish the plan. `contain`: contain the instance. */
  readonly mode?: CordonMode;
  /** GuardDuty finding type prefixes that trigger the responder. Default DEFAULT_FINDING_TYPES. */
  readonly findingTypes?: string[];
  /** Minimum GuardDuty severity (0–10). Default 7 (High and Critical). */
  readonly minSeverity?: number;
  /** Containment options (layers, NACL mode, allow-CIDRs, conntrack, playbook) — the CLI's flags. */
  readonly options?: CordonOptions;
  /** The role the handler assumes in other accounts (the member-account role). Default `CordonResponder`. */
  readonly memberRoleName?: string;
  /** Name prefix of the Lambda execution role (`<prefix>-<region>`), which member roles trust. */
  readonly executionRoleNamePrefix?: string;
  /** Grant the Lambda role the containment policy too, for instances in the responder's own account. Default true. */
  readonly containInOwnAccount?: boolean;
  /** Directory holding the handler bundle (`index.mjs` exporting `handler` and `workerHandler`). Default DEFAULT_CODE_PATH. */
  readonly codePath?: string;
  /** Key prefix in the bucket for the journal and evidence. Default `cordon`. */
  readonly statePrefix?: string;
  /** SSE-KMS with this key (bucket and topic) instead of SSE-S3. */
  readonly encryptionKey?: kms.IKey;
  /** S3 Object Lock on the journal/evidence bucket (true = GOVERNANCE, 365 days). Default off. */
  readonly objectLock?: boolean | ObjectLockProps;
  /** Subscribe this address to the topic (the subscription must be confirmed from the mail). */
  readonly notificationEmail?: string;
  /** Create the Security Hub custom action and its rule (needs Security Hub enabled in the account). Default on. */
  readonly securityHubAction?: boolean | SecurityHubActionProps;
  /** Concurrent account × region workers in the fan-out Map (1–40). Default 10. */
  readonly mapConcurrency?: number;
  /** Finding handler: timeout default 5 minutes, memory default 512 MB. */
  readonly handlerTimeout?: Duration;
  readonly handlerMemoryMb?: number;
  /** Fan-out worker: timeout default 15 minutes (Lambda's maximum), memory default 1024 MB. */
  readonly workerTimeout?: Duration;
  readonly workerMemoryMb?: number;
  /** The whole fan-out execution. Default 2 hours. */
  readonly stateMachineTimeout?: Duration;
  /** CloudWatch Logs retention of the Lambda logs. Default one year. */
  readonly logRetention?: logs.RetentionDays;
}

export class CordonResponder extends Construct {
  readonly bucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly role: iam.Role;
  readonly handler: lambda.Function;
  readonly worker: lambda.Function;
  readonly stateMachine: sfn.StateMachine;
  readonly guardDutyRule: events.Rule;
  readonly securityHubRule?: events.Rule;
  readonly securityHubAction?: securityhub.CfnActionTarget;
  /** The containment policy attached to the Lambda role (absent with containInOwnAccount: false). */
  readonly containmentPolicy?: iam.ManagedPolicy;
  readonly memberRoleName: string;
  readonly executionRoleNamePrefix: string;

  constructor(scope: Construct, id: string, props: CordonResponderProps = {}) {
    super(scope, id);
    const mode = props.mode ?? 'plan';
    if (mode !== 'plan' && mode !== 'contain') throw new Error(`mode must be "plan" or "contain", not "${mode}"`);
    const findingTypes = props.findingTypes ?? DEFAULT_FINDING_TYPES;
    if (findingTypes.length === 0 || findingTypes.some((t) => t.length === 0 || t.length > 100 || /[,*]/.test(t)))
      throw new Error('findingTypes needs at least one prefix of 1–100 characters, without commas or "*"');
    const minSeverity = props.minSeverity ?? DEFAULT_MIN_SEVERITY;
    if (!Number.isFinite(minSeverity) || minSeverity < 0 || minSeverity > 10)
      throw new Error(`minSeverity must be from 0 to 10, not ${minSeverity}`);
    const mapConcurrency = props.mapConcurrency ?? DEFAULT_MAP_CONCURRENCY;
    if (!Number.isInteger(mapConcurrency) || mapConcurrency < 1 || mapConcurrency > 40)
      throw new Error(`mapConcurrency must be a whole number from 1 to 40 (inline Map), not ${mapConcurrency}`);
    const options = props.options ?? {};
    containOptions(options); // validates, like the CLI's flag parsing
    this.memberRoleName = props.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
    this.executionRoleNamePrefix = props.executionRoleNamePrefix ?? DEFAULT_EXECUTION_ROLE_PREFIX;
    const statePrefix = (props.statePrefix ?? DEFAULT_STATE_PREFIX).replace(/^\/+|\/+$/g, '');
    if (!statePrefix) throw new Error('statePrefix must not be empty');
    const codePath = props.codePath ?? DEFAULT_CODE_PATH;
    if (!existsSync(join(codePath, 'index.mjs')))
      throw new Error(
        `no Lambda bundle at ${codePath}/index.mjs: run \`npm run build:lambda\` in the repository first, or pass codePath`,
      );

    // --- journal and evidence ---
    const lock = props.objectLock === true ? {} : props.objectLock || undefined;
    const lockDays = lock?.days ?? 365;
    this.bucket = new s3.Bucket(this, 'StateBucket', {
      versioned: true,
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      objectLockEnabled: lock ? true : undefined,
      objectLockDefaultRetention: lock
        ? (lock.mode ?? 'GOVERNANCE') === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(Duration.days(lockDays))
          : s3.ObjectLockRetention.governance(Duration.days(lockDays))
        : undefined,
      // Parts of an upload that died with its Lambda would otherwise be stored (and billed) forever.
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- results ---
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'cordon', masterKey: props.encryptionKey });
    if (props.notificationEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));

    // --- the Lambda role: containment (own account) + the least the handler needs for itself ---
    this.role = new iam.Role(this, 'ExecutionRole', {
      roleName: `${this.executionRoleNamePrefix}-${Aws.REGION}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cordon responder Lambda (finding handler and fan-out worker)',
    });
    if (props.containInOwnAccount ?? true) {
      this.containmentPolicy = new iam.ManagedPolicy(this, 'ContainmentPolicy', {
        description: 'cordon containment (derived from the steps’ declared permissions, as `cordon iam-policy`)',
        document: new iam.PolicyDocument({ statements: toPolicyStatements(cordonPolicy(options)), minimize: false }),
        roles: [this.role],
      });
    }
    const prefixArn = this.bucket.arnForObjects(`${statePrefix}/*`);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CordonStateObjects',
        // Abort: the SDK's multipart Upload (evidence files from 8 MiB) cleans up after a failed part with it.
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [prefixArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CordonStateList',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [statePrefix, `${statePrefix}/*`] } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'CordonPublish', actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CordonAssumeMemberRole',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${this.memberRoleName}`],
      }),
    );
    if (props.encryptionKey) props.encryptionKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');

    // --- the functions ---
    const code = lambda.Code.fromAsset(codePath);
    const environment: Record<string, string> = {
      CORDON_MODE: mode,
      CORDON_STATE: `s3://${this.bucket.bucketName}/${statePrefix}`,
      CORDON_MIN_SEVERITY: String(minSeverity),
      // The handler matches globs: each prefix the rule matches is `<prefix>*` there.
      CORDON_FINDING_TYPES: findingTypes.map((t) => `${t}*`).join(','),
      CORDON_TOPIC_ARN: this.topic.topicArn,
      CORDON_ROLE_NAME: this.memberRoleName,
      // The containment options as the CLI flags the handler reads (CORDON_LAYERS, CORDON_NO_EVIDENCE, …): the same
      // flags the IAM policy above was computed from.
      ...flagEnvironment(optionFlags(options)),
    };
    const fn = (name: string, handler: string, timeout: Duration, memorySize: number): lambda.Function => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: `CordonLogs${name}`,
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      return new lambda.Function(this, name, {
        // nodejs22.x: the newest runtime that keeps the Node 20 semantics the project is developed and tested on
        // (nodejs20.x is past its upstream end of life; nodejs24.x changes handler conventions).
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        code,
        handler,
        timeout,
        memorySize,
        role: this.role,
        logGroup,
        environment,
        description: `cordon ${handler} (${mode})`,
      });
    };
    this.handler = fn(
      'Handler',
      'index.handler',
      props.handlerTimeout ?? Duration.minutes(5),
      props.handlerMemoryMb ?? 512,
    );
    this.worker = fn(
      'Worker',
      'index.workerHandler',
      props.workerTimeout ?? Duration.minutes(15),
      props.workerMemoryMb ?? 1024,
    );

    // --- triggers ---
    this.guardDutyRule = new events.Rule(this, 'GuardDutyRule', {
      description: `cordon: GuardDuty findings of severity >= ${minSeverity} → ${mode}`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: {
          severity: [{ numeric: ['>=', minSeverity] }],
          type: findingTypes.map((prefix) => ({ prefix })),
        },
      },
      targets: [new targets.LambdaFunction(this.handler)],
    });
    if (props.securityHubAction !== false) {
      const a =
        props.securityHubAction === true || props.securityHubAction === undefined ? {} : props.securityHubAction;
      const actionId = a.id ?? 'CordonContain';
      if (!/^[A-Za-z0-9]{1,20}$/.test(actionId)) throw new Error('securityHubAction.id: 1–20 alphanumeric characters');
      const actionName = a.name ?? 'Cordon contain';
      if (actionName.length > 20) throw new Error('securityHubAction.name: at most 20 characters');
      this.securityHubAction = new securityhub.CfnActionTarget(this, 'SecurityHubAction', {
        id: actionId,
        name: actionName,
        description: a.description ?? `Send the selected EC2 findings to cordon (${mode})`,
      });
      this.securityHubRule = new events.Rule(this, 'SecurityHubRule', {
        description: `cordon: Security Hub custom action ${actionId} → ${mode}`,
        eventPattern: {
          source: ['aws.securityhub'],
          detailType: ['Security Hub Findings - Custom Action'],
          resources: [this.securityHubAction.attrActionTargetArn],
        },
        targets: [new targets.LambdaFunction(this.handler)],
      });
    }

    // --- org fan-out ---
    const grouper = new lambda.Function(this, 'GroupTargets', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromInline(GROUP_TARGETS_SOURCE),
      handler: 'index.handler',
      timeout: Duration.seconds(30),
      memorySize: 128,
      description: 'cordon fan-out: group instance ARNs by account × region',
    });
    const group = new tasks.LambdaInvoke(this, 'Group by account and region', {
      lambdaFunction: grouper,
      outputPath: '$.Payload',
    });
    const work = new tasks.LambdaInvoke(this, 'Contain one account and region', {
      lambdaFunction: this.worker,
      outputPath: '$.Payload',
      retryOnServiceExceptions: true,
    });
    // The default retrier covers Lambda's service errors but not throttling.
    work.addRetry({
      errors: ['Lambda.TooManyRequestsException'],
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
    });
    const failed = new sfn.Pass(this, 'Group failed', {
      parameters: {
        accountId: sfn.JsonPath.stringAt('$.accountId'),
        region: sfn.JsonPath.stringAt('$.region'),
        targets: sfn.JsonPath.listAt('$.targets'),
        status: 'failed',
        error: sfn.JsonPath.objectAt('$.error'),
      },
    });
    // One failing group is reported in the results; the other groups go on.
    work.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
    const perGroup = new sfn.Map(this, 'Each account and region', {
      itemsPath: '$.groups',
      maxConcurrency: mapConcurrency,
      itemSelector: {
        accountId: sfn.JsonPath.stringAt('$$.Map.Item.Value.accountId'),
        region: sfn.JsonPath.stringAt('$$.Map.Item.Value.region'),
        targets: sfn.JsonPath.listAt('$$.Map.Item.Value.targets'),
        roleName: this.memberRoleName,
        options: sfn.JsonPath.objectAt('$.options'),
      },
      resultPath: '$.results',
    });
    perGroup.itemProcessor(work);
    const done = new sfn.Pass(this, 'Results', {
      parameters: { groups: sfn.JsonPath.listAt('$.groups'), results: sfn.JsonPath.listAt('$.results') },
    });
    this.stateMachine = new sfn.StateMachine(this, 'FanOut', {
      definitionBody: sfn.DefinitionBody.fromChainable(group.next(perGroup).next(done)),
      timeout: props.stateMachineTimeout ?? Duration.hours(2),
      comment: 'cordon org fan-out: {targets: [instance ARNs], options?} → one worker per account × region',
    });
  }
}
