// cordon/lambda: the Lambda entry points — `handler` (EventBridge findings, direct invokes), `workerHandler` (one
// account × region of a Step Functions fan-out) and `groupHandler` (the fan-out's first state) — with the grouping
// function and the input/output types. docs/automation.md.

export { handler, handle, type LambdaContext } from './handler.js';
export {
  workerHandler,
  runWorker,
  groupHandler,
  groupForFanOut,
  parseWorkerInput,
  type FanOutDefaults,
} from './worker.js';
export { readConfig, envName, type LambdaConfig, type Mode } from './config.js';
export { parseEvent, type InstanceFinding, type ParsedEvent, type EventSource } from '../core/findings.js';
export type {
  ErrorResult,
  FindingSummary,
  HandlerResult,
  Skipped,
  VerifyNow,
  WorkerInput,
  WorkerInstanceResult,
  WorkerOutput,
} from './types.js';
