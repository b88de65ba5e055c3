export default async function globalTeardown(): Promise<void> {
  const teardown = (globalThis as Record<string, unknown>).__b2bTeardown as (() => Promise<void>) | undefined;
  await teardown?.();
}
