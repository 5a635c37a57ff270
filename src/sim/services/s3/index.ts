// The simulated S3 (REST-XML protocol; path-style http://127.0.0.1:PORT/bucket/key or virtual-hosted bucket.localhost).

import type { RestHandler, RestServiceDef } from '../framework.js';
import { s3Route } from '../../protocol/s3-routes.js';
import { iamNeeds } from './access.js';
import { bucketActions } from './buckets.js';
import { configActions } from './config.js';
import { copyActions } from './copy.js';
import { listActions } from './list.js';
import { multipartActions } from './multipart.js';
import { objectActions } from './objects.js';

/** Largest request body the simulator reads for S3 (one PutObject or UploadPart). S3's own limit is 5 GiB. */
export const S3_MAX_BODY = 256 * 1024 * 1024;

const actions: Record<string, RestHandler> = {
  ...bucketActions,
  ...configActions,
  ...objectActions,
  ...copyActions,
  ...listActions,
  ...multipartActions,
};

export const s3Service: RestServiceDef = {
  signingName: 's3',
  apiVersion: '2006-03-01',
  protocol: 'rest-xml',
  xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
  iamPrefix: 's3',
  route: s3Route,
  iamNeeds,
  maxBody: S3_MAX_BODY,
  actions,
};
