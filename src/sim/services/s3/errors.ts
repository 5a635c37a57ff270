// S3's errors as S3 words them: code, HTTP status, message, and the extra elements of its <Error> document.

import { AwsError } from '../../errors.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;

export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string, headers?: Record<string, string>) =>
    new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }, headers),
  noSuchVersion: (key: string, versionId: string) =>
    new AwsError('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId }),
  noSuchUpload: (uploadId: string) =>
    new AwsError(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: uploadId },
    ),
  alreadyOwned: (bucket: string) =>
    new AwsError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: bucket },
    ),
  alreadyExists: (bucket: string) =>
    new AwsError(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
      { BucketName: bucket },
    ),
  notEmpty: (bucket: string, versioned: boolean) =>
    new AwsError(
      'BucketNotEmpty',
      versioned
        ? 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.'
        : 'The bucket you tried to delete is not empty',
      409,
      { BucketName: bucket },
    ),
  invalidBucketName: (bucket: string) =>
    new AwsError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket }),
  invalidPart: (uploadId: string, partNumber: number, etag: string) =>
    new AwsError(
      'InvalidPart',
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
      400,
      { UploadId: uploadId, PartNumber: String(partNumber), ETag: etag },
    ),
  invalidPartOrder: (uploadId: string) =>
    new AwsError(
      'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
      400,
      { UploadId: uploadId },
    ),
  entityTooSmall: (size: number, partNumber: number, etag: string) =>
    new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
      ProposedSize: String(size),
      MinSizeAllowed: String(MIN_PART_SIZE),
      PartNumber: String(partNumber),
      ETag: etag,
    }),
  entityTooLarge: (size: number, max: number) =>
    new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
      ProposedSize: String(size),
      MaxSizeAllowed: String(max),
    }),
  preconditionFailed: (condition: string) =>
    new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
      Condition: condition,
    }),
  badDigest: (what: string) =>
    new AwsError(
      'BadDigest',
      what === 'Content-MD5'
        ? 'The Content-MD5 you specified did not match what we received.'
        : `The ${what} you specified did not match the calculated checksum.`,
      400,
    ),
  invalidDigest: () => new AwsError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400),
  invalidRequest: (message: string) => new AwsError('InvalidRequest', message, 400),
  invalidArgument: (message: string, name: string, value: string) =>
    new AwsError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value }),
  malformedXml: () =>
    new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    ),
  invalidRange: (range: string, size: number) =>
    new AwsError('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  notImplemented: (header: string) =>
    new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, {
      Header: header,
    }),
  keyTooLong: (size: number) =>
    new AwsError('KeyTooLongError', 'Your key is too long', 400, { Size: String(size), MaxSizeAllowed: '1024' }),
  incompleteBody: (message = 'You did not provide the number of bytes specified by the Content-Length HTTP header') =>
    new AwsError('IncompleteBody', message, 400),
};
