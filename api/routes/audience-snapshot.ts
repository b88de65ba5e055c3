import { audienceSnapshot, audienceSnapshotOnce, type AudienceSnapshot } from '../../lib/audience-snapshot';
import type { RouteDeps } from '../context';

export interface SnapshotOptions {
  /** Where the snapshot is saved for the next start of the API. */
  audienceCheckpointDir?: string;
}

/** The snapshot previews read, caught up with every write acknowledged so far; reading it keeps it following the feed. */
export function snapshotFor(deps: RouteDeps, opts: SnapshotOptions, reload = false): Promise<AudienceSnapshot> {
  return audienceSnapshot({ reload, checkpointDir: opts.audienceCheckpointDir, onError: (err) => deps.logger.warn({ err }, 'audience snapshot refresh or save failed') });
}

/** The snapshot for a one-off reader: the previews' one when they hold it, else one loaded for this request alone. */
export function snapshotOnceFor(deps: RouteDeps, opts: SnapshotOptions): Promise<AudienceSnapshot> {
  return audienceSnapshotOnce({ checkpointDir: opts.audienceCheckpointDir, onError: (err) => deps.logger.warn({ err }, 'audience snapshot refresh or save failed') });
}
