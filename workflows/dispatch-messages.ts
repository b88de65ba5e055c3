import { defineSignal } from '@temporalio/workflow';

/** New messages are ready in the lane (or were re-driven): the dispatcher claims again. */
export const wakeSignal = defineSignal('wake');
