// @cordon/cdk: the CordonResponder construct and the member-account role (StackSet-ready).
export * from './responder.js';
export * from './member-role.js';
export { cordonPolicy, containmentPolicyDocument, toPolicyStatements } from './policy.js';
export { containOptions, type CordonOptions } from './options.js';
export { GROUP_TARGETS_SOURCE } from './group-targets.js';
