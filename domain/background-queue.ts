/**
 * Re-scoring that no new event asked for (a model or segment change, a
 * person edited, time moving a visit out of its window) runs on a task queue
 * of its own with few slots, so however much of it is queued, the main
 * queue's slots stay free for the events that arrive meanwhile.
 */
export const backgroundQueue = (taskQueue: string) => `${taskQueue}-background`;

/** Background activities at a time per worker: enough to keep the database busy, few enough to leave it to live events. */
export const BACKGROUND_CONCURRENCY = 4;
