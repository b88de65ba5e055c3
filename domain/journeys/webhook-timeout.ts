import { parseDuration } from '../duration';

/** How long a webhook call may take when its node names no timeout. */
export const WEBHOOK_DEFAULT_TIMEOUT_MS = 10_000;
export const webhookTimeoutMs = (timeout: string | undefined) => (timeout ? parseDuration(timeout)! : WEBHOOK_DEFAULT_TIMEOUT_MS);
