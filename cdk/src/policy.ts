// The containment permissions as CDK IAM objects, converted statement by statement from `leastPrivilegePolicy` —
// the function `cordon iam-policy` prints — so the deployed roles and the CLI's policy cannot drift apart. Nothing
// here lists an action.

import * as iam from 'aws-cdk-lib/aws-iam';
import { leastPrivilegePolicy, type PolicyDocument } from '../../src/engine/iam-policy.js';
import { containOptions, type CordonOptions } from './options.js';

/** cordon's policy document for these options, exactly as `cordon iam-policy` with the same flags prints it. */
export function cordonPolicy(options: CordonOptions = {}): PolicyDocument {
  return leastPrivilegePolicy({ options: containOptions(options) });
}

/** Each statement of a cordon policy document as an iam.PolicyStatement (Sid, actions, resources, conditions kept). */
export function toPolicyStatements(doc: PolicyDocument): iam.PolicyStatement[] {
  return doc.Statement.map((s) => {
    if (s.Effect !== 'Allow') throw new Error(`statement ${s.Sid}: only Allow statements are expected`);
    return new iam.PolicyStatement({
      sid: s.Sid,
      effect: iam.Effect.ALLOW,
      actions: [...s.Action],
      resources: [s.Resource],
      conditions: s.Condition ? structuredClone(s.Condition) : undefined,
    });
  });
}

/** The containment policy for these options as an iam.PolicyDocument (never minimized: statements stay as cordon's). */
export function containmentPolicyDocument(options: CordonOptions = {}): iam.PolicyDocument {
  return new iam.PolicyDocument({ statements: toPolicyStatements(cordonPolicy(options)), minimize: false });
}
