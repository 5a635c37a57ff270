// The first step of the fan-out state machine: instance ARNs grouped by account × region (one worker per group, as
// the CLI's fleet runs one worker per account × region). Inline Lambda code (CommonJS, no dependency), kept as a
// string so the construct does not depend on the handler bundle; test/cdk/group-targets.test.ts runs this exact
// source.

export const GROUP_TARGETS_SOURCE = `'use strict';
// cordon fan-out: {targets: [instance ARNs], options?} -> {groups: [{accountId, region, targets}], options}
const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):ec2:([a-z]{2}(?:-[a-z]+)+-\\d+):(\\d{12}):instance\\/(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)$/;
exports.handler = async (event) => {
  const targets = event && event.targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    const e = new Error('input needs "targets": a non-empty array of instance ARNs arn:aws:ec2:REGION:ACCOUNT:instance/ID');
    e.name = 'CordonBadInput';
    throw e;
  }
  const groups = new Map();
  const bad = [];
  for (const t of targets) {
    const arn = typeof t === 'string' ? t.trim() : '';
    const m = ARN.exec(arn);
    if (!m) {
      bad.push(t);
      continue;
    }
    const key = m[3] + '/' + m[2];
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { accountId: m[3], region: m[2], targets: [] }));
    if (!g.targets.includes(arn)) g.targets.push(arn);
  }
  if (bad.length) {
    const e = new Error('not instance ARNs (arn:aws:ec2:REGION:ACCOUNT:instance/ID): ' + JSON.stringify(bad.slice(0, 20)));
    e.name = 'CordonBadInput';
    throw e;
  }
  const options = event.options === undefined || event.options === null ? {} : event.options;
  return { groups: [...groups.values()], options };
};
`;
