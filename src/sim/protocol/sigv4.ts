// Reads the SigV4 credential scope from a request: who signed it (access key id) and for which region and
// service. The simulator does not verify signatures (it holds no real secrets); it routes by the scope.

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE_RE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

export function parseCredentialScope(
  authorization: string | undefined,
  query?: URLSearchParams,
): CredentialScope | undefined {
  const fromHeader = authorization ? SCOPE_RE.exec(authorization) : null;
  if (fromHeader) {
    return { accessKeyId: fromHeader[1]!, date: fromHeader[2]!, region: fromHeader[3]!, service: fromHeader[4]! };
  }
  // Pre-signed query form: X-Amz-Credential=AKID/20240101/us-east-1/ec2/aws4_request
  const cred = query?.get('X-Amz-Credential');
  if (cred) {
    const [accessKeyId, date, region, service] = cred.split('/');
    if (accessKeyId && date && region && service) return { accessKeyId, date, region, service };
  }
  return undefined;
}
