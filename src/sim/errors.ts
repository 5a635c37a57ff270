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
  // S3
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  PreconditionFailed: 412,
  InvalidRange: 416,
  MethodNotAllowed: 405,
  NotImplemented: 501,
  SlowDown: 503,
  // SNS
  NotFound: 404,
  AuthorizationError: 403,
  Throttled: 429,
};

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** awsQuery `<Type>`: Sender for client errors, Receiver for server errors. */
  readonly type: 'Sender' | 'Receiver';
  /** Extra elements of a REST-XML (S3) error, after Code and Message: `{ BucketName: 'b' }`. */
  readonly details?: Record<string, string>;
  /** Response headers a REST-XML error carries (`x-amz-bucket-region`, `x-amz-delete-marker`). */
  readonly headers?: Record<string, string>;
  constructor(
    code: string,
    message: string,
    status?: number,
    details?: Record<string, string>,
    headers?: Record<string, string>,
  ) {
    super(message);
    this.code = code;
    this.status = status ?? STATUS_BY_CODE[code] ?? 400;
    this.type = this.status >= 500 ? 'Receiver' : 'Sender';
    this.details = details;
    this.headers = headers;
  }
}

export const err = (code: string, message: string, status?: number): AwsError => new AwsError(code, message, status);
