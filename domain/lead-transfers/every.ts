import { parseDuration } from '../duration';

/**
 * A transfer's rhythm in whole seconds (what a Schedule interval takes), or why
 * it is refused: months and years are fixed lengths as everywhere else, and
 * nothing runs more often than the deployment allows (a CRM is not a queue).
 */
export function everySeconds(every: string, minSeconds: number): { seconds: number } | { error: string } {
  const ms = parseDuration(every);
  if (ms === undefined) return { error: 'must be an ISO 8601 duration such as PT1H or P1D' };
  if (ms % 1000 !== 0) return { error: 'must be whole seconds' };
  if (ms < minSeconds * 1000) return { error: `must be at least ${minSeconds} seconds` };
  return { seconds: ms / 1000 };
}
