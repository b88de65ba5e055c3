/**
 * Re-scoring that no new event asked for (a model or segment change, a
 * person edited, time moving a visit out of its window) runs on a task queue
 * of its own with few slots (`BACKGROUND_CONCURRENCY`), so however much of it is queued, the main
 * queue's slots stay free for the events that arrive meanwhile.
 */
export const backgroundQueue = (taskQueue: string) => `${taskQueue}-background`;
