import { parseDuration } from '../duration';

/**
 * The longest `within` a segment may use. People keep their interactions this
 * long (recentEvents), so any segment, also one saved later, sees whole windows.
 */
export const MAX_SEGMENT_WINDOW = 'P1Y';
export const MAX_SEGMENT_WINDOW_MS = parseDuration(MAX_SEGMENT_WINDOW)!;
/** Nesting of all/any/not/people, and entries per list. */
export const MAX_SEGMENT_DEPTH = 6;
export const MAX_SEGMENT_LIST = 50;
