/** Reads configuration from the environment once, at start, with an error that names what is missing. */
export function requireEnv<const K extends string>(names: readonly K[]): Record<K, string> {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length) {
    throw new Error(`missing environment variable(s): ${missing.join(', ')} (set by the Stratus stack)`);
  }
  return Object.fromEntries(names.map((n) => [n, process.env[n] as string])) as Record<K, string>;
}
