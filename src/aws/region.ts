// The region a client set is for: the flag, else the SDK's environment variables. Its own module so the command line
// can resolve it without loading the AWS SDK.

export function resolveRegion(o: { region?: string }): string | undefined {
  return o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
