// An AWS error as the simulator answers it. The codec decides the envelope; the status defaults per code.

const STATUS_BY_CODE: Record<string, number> = {
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  AccessDenied: 403,
  AccessDeniedException: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  ExpiredToken: 400,
  DryRunOperation: 412,
  RequestLimitExceeded: 503,
  InternalError: 500,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  Unavailable: 503,
  ResourceContention: 500,
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  LimitExceeded: 409,
  DeleteConflict: 409,
  MalformedPolicyDocument: 400,
  ValidationError: 400,
  Throttling: 400,
  TargetGroupNotFound: 400,
  LoadBalancerNotFound: 400,
};

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** awsQuery `<Type>`: Sender for client errors, Receiver for server errors. */
  readonly type: 'Sender' | 'Receiver';
  constructor(code: string, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status ?? STATUS_BY_CODE[code] ?? 400;
    this.type = this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const err = (code: string, message: string, status?: number): AwsError => new AwsError(code, message, status);
