// EC2 instance attributes: ModifyInstanceAttribute (one attribute per call), DescribeInstanceAttribute and
// ModifyInstanceMetadataOptions. Wire names from the SDK shapes ModifyInstanceAttributeRequest, InstanceAttribute,
// InstanceBlockDeviceMappingSpecification (BlockDeviceMapping.N.DeviceName, .Ebs.DeleteOnTermination, .Ebs.VolumeId)
// and InstanceMetadataOptionsResponse.

import type { CallContext, Handler } from '../framework.js';
import { bool, int, obj, objList, str, strList } from '../framework.js';
import type { FormObject } from '../../protocol/form.js';
import type { XmlData } from '../../protocol/xml.js';
import { AwsError } from '../../errors.js';
import { lookup } from './ids.js';
import { groupSetOf } from './views.js';
import { groupNotInVpc, resolveGroups } from './eniRules.js';
import { enisOf, isNitroType, shownState } from './lifecycle.js';
import type { Instance, MetadataOptions, NetworkInterface } from '../../state/types.js';

// ---- metadata options (shared with RunInstances) ------------------------------------------------------------

function oneOf<T extends string>(p: FormObject, key: string, param: string, allowed: readonly T[]): T | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${v}) for parameter ${param} is invalid. Valid values: ${allowed.join(', ')}.`,
    );
  }
  return v as T;
}

/** `HttpTokens`, `HttpPutResponseHopLimit` (1–64), `HttpEndpoint`, `HttpProtocolIpv6`, `InstanceMetadataTags`. */
export function readMetadataOptions(p: FormObject | undefined): Partial<Omit<MetadataOptions, 'state'>> {
  if (!p) return {};
  const out: Partial<Omit<MetadataOptions, 'state'>> = {
    httpTokens: oneOf(p, 'HttpTokens', 'HttpTokens', ['optional', 'required'] as const),
    httpEndpoint: oneOf(p, 'HttpEndpoint', 'HttpEndpoint', ['enabled', 'disabled'] as const),
    httpProtocolIpv6: oneOf(p, 'HttpProtocolIpv6', 'HttpProtocolIpv6', ['enabled', 'disabled'] as const),
    instanceMetadataTags: oneOf(p, 'InstanceMetadataTags', 'InstanceMetadataTags', ['enabled', 'disabled'] as const),
  };
  const hop = int(p, 'HttpPutResponseHopLimit');
  if (hop !== undefined && hop !== -1) {
    if (hop < 1 || hop > 64) {
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${hop}) for parameter HttpPutResponseHopLimit is invalid. Expected a value between 1 and 64.`,
      );
    }
    out.httpPutResponseHopLimit = hop;
  }
  for (const k of Object.keys(out) as (keyof typeof out)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function metadataView(m: MetadataOptions, state: 'pending' | 'applied') {
  return {
    state,
    httpTokens: m.httpTokens,
    httpPutResponseHopLimit: m.httpPutResponseHopLimit,
    httpEndpoint: m.httpEndpoint,
    httpProtocolIpv6: m.httpProtocolIpv6,
    instanceMetadataTags: m.instanceMetadataTags,
  };
}

const modifyInstanceMetadataOptions: Handler = (ctx, p) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const changes = readMetadataOptions(p);
  if (Object.keys(changes).length === 0) {
    throw new AwsError(
      'MissingParameter',
      'At least one of HttpTokens, HttpPutResponseHopLimit, HttpEndpoint, HttpProtocolIpv6 or InstanceMetadataTags must be specified.',
    );
  }
  liveOnly(ctx, inst);
  ctx.dryRunGate();
  // Recorded as applied at once; the answer says pending, as AWS's does.
  Object.assign(inst.metadataOptions, changes, { state: 'applied' });
  return { instanceId: inst.instanceId, instanceMetadataOptions: metadataView(inst.metadataOptions, 'pending') };
};

// ---- ModifyInstanceAttribute ---------------------------------------------------------------------------------

function liveOnly(ctx: CallContext, inst: Instance): void {
  const s = shownState(ctx.world, inst);
  if (s === 'terminated' || s === 'shutting-down') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${inst.instanceId}' is not in a valid state for this operation.`,
    );
  }
}

function singleEni(ctx: CallContext, inst: Instance): NetworkInterface {
  const enis = enisOf(ctx.region, inst);
  if (enis.length > 1) {
    throw new AwsError(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${inst.instanceId}'. Please specify an interface ID for the operation instead.`,
    );
  }
  if (!enis[0]) throw new AwsError('InvalidInstanceID', `Instance '${inst.instanceId}' has no network interface.`);
  return enis[0];
}

function boolValue(p: FormObject, key: string, param: string): boolean | undefined {
  const o = obj(p, key);
  if (!o) return undefined;
  const v = bool(o, 'Value');
  if (v === undefined) throw new AwsError('MissingParameter', `The request must contain the parameter ${param}.Value`);
  return v;
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const NOT_MODELLED = [
  'EbsOptimized',
  'EnaSupport',
  'SriovNetSupport',
  'UserData',
  'Kernel',
  'Ramdisk',
  'EnclaveOptions',
];
/** `Attribute=<name>&Value=<v>` form → the struct parameter it stands for. */
const ATTRIBUTE_PARAMS: Record<string, string> = {
  disableApiTermination: 'DisableApiTermination',
  instanceInitiatedShutdownBehavior: 'InstanceInitiatedShutdownBehavior',
  disableApiStop: 'DisableApiStop',
  sourceDestCheck: 'SourceDestCheck',
  instanceType: 'InstanceType',
  kernel: 'Kernel',
  ramdisk: 'Ramdisk',
  userData: 'UserData',
  ebsOptimized: 'EbsOptimized',
  enaSupport: 'EnaSupport',
  sriovNetSupport: 'SriovNetSupport',
};

const modifyInstanceAttribute: Handler = (ctx, raw) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(raw, 'InstanceId'), 'InstanceId');
  const p: FormObject = { ...raw };
  const attribute = str(p, 'Attribute');
  if (attribute !== undefined) {
    const key = ATTRIBUTE_PARAMS[attribute];
    if (!key)
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${attribute}) for parameter attribute is invalid. Use the ${attribute === 'groupSet' ? 'GroupId' : attribute === 'blockDeviceMapping' ? 'BlockDeviceMapping' : 'attribute-specific'} parameter instead.`,
      );
    if (p[key] !== undefined)
      throw new AwsError(
        'InvalidParameterCombination',
        `The parameter attribute cannot be used with the parameter ${key}`,
      );
    p[key] = { Value: str(p, 'Value') ?? '' };
  }
  const groups = strList(p, 'GroupId');
  const mappings = objList(p, 'BlockDeviceMapping');
  const present = [
    'DisableApiTermination',
    'InstanceInitiatedShutdownBehavior',
    'DisableApiStop',
    'SourceDestCheck',
    'InstanceType',
    ...NOT_MODELLED,
  ].filter((k) => p[k] !== undefined);
  const count = present.length + (groups.length ? 1 : 0) + (mappings.length ? 1 : 0);
  if (count === 0)
    throw new AwsError('MissingParameter', 'No attributes specified: give exactly one attribute to modify.');
  if (count > 1)
    throw new AwsError(
      'InvalidParameterCombination',
      'Fields for multiple attribute types specified: only one attribute can be modified at a time.',
    );
  liveOnly(ctx, inst);

  if (groups.length) {
    const eni = singleEni(ctx, inst);
    const sgs = resolveGroups(ctx.region, eni.vpcId, groups, (g) => groupNotInVpc(g.groupId, eni.vpcId));
    ctx.dryRunGate();
    eni.groupIds = sgs.map((g) => g.groupId);
    return { return: true };
  }
  if (mappings.length) {
    const updates = mappings.map((m) => {
      const deviceName = str(m, 'DeviceName');
      if (!deviceName)
        throw new AwsError('MissingParameter', 'The request must contain the parameter BlockDeviceMapping.DeviceName');
      const ebs = obj(m, 'Ebs');
      const mapped = inst.blockDevices.find((b) => b.deviceName === deviceName);
      const volumeId = ebs ? str(ebs, 'VolumeId') : undefined;
      if (!mapped || (volumeId !== undefined && volumeId !== mapped.volumeId)) {
        throw new AwsError('InvalidInstanceAttributeValue', `No device is currently mapped at ${deviceName}`);
      }
      const att = ctx.region.ec2.volumes
        .get(mapped.volumeId)
        ?.attachments.find((a) => a.instanceId === inst.instanceId);
      if (!att) throw new AwsError('InvalidInstanceAttributeValue', `No device is currently mapped at ${deviceName}`);
      // AWS: when DeleteOnTermination is not given, it is true.
      return { att, deleteOnTermination: (ebs ? bool(ebs, 'DeleteOnTermination') : undefined) ?? true };
    });
    ctx.dryRunGate();
    for (const u of updates) u.att.deleteOnTermination = u.deleteOnTermination;
    return { return: true };
  }
  const key = present[0]!;
  if (NOT_MODELLED.includes(key)) {
    throw new AwsError(
      'UnsupportedOperation',
      `The simulator does not model the instance attribute ${key}; supported: GroupId, DisableApiTermination, DisableApiStop, InstanceInitiatedShutdownBehavior, BlockDeviceMapping, SourceDestCheck, InstanceType.`,
    );
  }
  if (key === 'DisableApiTermination' || key === 'DisableApiStop') {
    const v = boolValue(p, key, key)!;
    ctx.dryRunGate();
    if (key === 'DisableApiTermination') inst.disableApiTermination = v;
    else inst.disableApiStop = v;
    return { return: true };
  }
  if (key === 'SourceDestCheck') {
    const v = boolValue(p, key, key)!;
    const eni = singleEni(ctx, inst);
    ctx.dryRunGate();
    eni.sourceDestCheck = v;
    return { return: true };
  }
  const value = str(obj(p, key) ?? {}, 'Value');
  if (!value) throw new AwsError('MissingParameter', `The request must contain the parameter ${key}.Value`);
  if (key === 'InstanceInitiatedShutdownBehavior') {
    if (value !== 'stop' && value !== 'terminate') {
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${value}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values: stop, terminate.`,
      );
    }
    ctx.dryRunGate();
    inst.instanceInitiatedShutdownBehavior = value;
    return { return: true };
  }
  // InstanceType
  if (!INSTANCE_TYPE.test(value))
    throw new AwsError('InvalidParameterValue', `Invalid value '${value}' for InstanceType.`);
  if (shownState(ctx.world, inst) !== 'stopped') {
    throw new AwsError('IncorrectInstanceState', `The instance '${inst.instanceId}' is not in the 'stopped' state.`);
  }
  ctx.dryRunGate();
  inst.instanceType = value;
  inst.nitro = isNitroType(value);
  return { return: true };
};

// ---- DescribeInstanceAttribute ---------------------------------------------------------------------------------

type AttributeView = (ctx: CallContext, inst: Instance) => { [k: string]: XmlData };

const primaryEniOf = (ctx: CallContext, inst: Instance): NetworkInterface | undefined => enisOf(ctx.region, inst)[0];

const ATTRIBUTES: Record<string, AttributeView> = {
  instanceType: (_c, i) => ({ instanceType: { value: i.instanceType } }),
  kernel: () => ({ kernel: {} }),
  ramdisk: () => ({ ramdisk: {} }),
  userData: () => ({ userData: {} }),
  disableApiTermination: (_c, i) => ({ disableApiTermination: { value: i.disableApiTermination } }),
  disableApiStop: (_c, i) => ({ disableApiStop: { value: i.disableApiStop } }),
  instanceInitiatedShutdownBehavior: (_c, i) => ({
    instanceInitiatedShutdownBehavior: { value: i.instanceInitiatedShutdownBehavior },
  }),
  rootDeviceName: (_c, i) => ({ rootDeviceName: { value: i.rootDeviceName } }),
  blockDeviceMapping: (ctx, i) => ({
    blockDeviceMapping: i.blockDevices.map((b) => {
      const att = ctx.region.ec2.volumes.get(b.volumeId)?.attachments.find((a) => a.instanceId === i.instanceId);
      return {
        deviceName: b.deviceName,
        ebs: {
          volumeId: b.volumeId,
          status: att?.state ?? 'attached',
          attachTime: att?.attachTime,
          deleteOnTermination: att?.deleteOnTermination ?? true,
        },
      };
    }),
  }),
  productCodes: () => ({ productCodes: [] }),
  sourceDestCheck: (ctx, i) => ({ sourceDestCheck: { value: primaryEniOf(ctx, i)?.sourceDestCheck ?? true } }),
  groupSet: (ctx, i) => ({ groupSet: groupSetOf(ctx.region, primaryEniOf(ctx, i)?.groupIds ?? []) }),
  ebsOptimized: () => ({ ebsOptimized: { value: false } }),
  sriovNetSupport: () => ({ sriovNetSupport: { value: 'simple' } }),
  enaSupport: () => ({ enaSupport: { value: true } }),
  enclaveOptions: () => ({ enclaveOptions: { enabled: false } }),
};

const describeInstanceAttribute: Handler = (ctx, p) => {
  const inst = lookup('instance', ctx.region.ec2.instances, str(p, 'InstanceId'), 'InstanceId');
  const attribute = str(p, 'Attribute');
  if (!attribute) throw new AwsError('MissingParameter', 'The request must contain the parameter attribute');
  const view = Object.prototype.hasOwnProperty.call(ATTRIBUTES, attribute) ? ATTRIBUTES[attribute] : undefined;
  if (!view)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
    );
  return { instanceId: inst.instanceId, ...view(ctx, inst) };
};

export const instanceAttributesActions: Record<string, Handler> = {
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceAttribute: describeInstanceAttribute,
  ModifyInstanceMetadataOptions: modifyInstanceMetadataOptions,
};
