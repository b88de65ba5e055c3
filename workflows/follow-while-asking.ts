import { CancellationScope } from '@temporalio/workflow';

/**
 * A paced fan-out lasts about as long as the work it asks for, so a job
 * follows its progress while it still asks: `ask` runs in a scope of its own
 * beside `follow`, ends when `follow` does (done or superseded), and a failed
 * `ask` fails the job.
 */
export async function followWhileAsking<A, T>(ask: () => Promise<A>, follow: (asked: Promise<A>) => Promise<T>): Promise<T> {
  const asking = new CancellationScope();
  const asked = asking.run(ask);
  const askingFailed = asked.then(() => new Promise<never>(() => {}));
  try {
    return await Promise.race([follow(asked), askingFailed]);
  } finally {
    asking.cancel();
  }
}
