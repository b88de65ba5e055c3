// Where the jest global set-up put the servers, handed to test files by env.
export const TEST_ENV = {
  mongoBase: 'B2B_TEST_MONGO_BASE',
  temporalAddress: 'B2B_TEST_TEMPORAL_ADDRESS',
  bundlePath: 'B2B_TEST_WORKFLOW_BUNDLE',
} as const;

export function testServers() {
  const get = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run tests through jest (npm test), whose global set-up starts the servers`);
    return v;
  };
  return {
    mongoBase: get(TEST_ENV.mongoBase),
    temporalAddress: get(TEST_ENV.temporalAddress),
    bundlePath: get(TEST_ENV.bundlePath),
  };
}
