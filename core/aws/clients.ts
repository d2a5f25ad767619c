/**
 * One place that shapes SDK client config. On AWS: region and credentials from the environment.
 * Locally: an emulator endpoint with throwaway credentials (the emulators do not check them).
 */
export interface ClientOptions {
  endpoint?: string;
  region?: string;
}

export function clientConfig(opts: ClientOptions = {}) {
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  if (!opts.endpoint) return { region };
  return {
    region,
    endpoint: opts.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}
