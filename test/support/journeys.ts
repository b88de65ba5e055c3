import { eventually, Harness } from './harness';

export interface InstanceView {
  nodeId: string;
  status: string;
  version: number;
  history: { nodeId: string; at: string; outcome?: string }[];
}

/** Journey steps as a marketer takes them, through the real API of the file's harness (given lazily: it starts in beforeAll). */
export function journeyApi(harness: () => Harness) {
  const api: Harness['api'] = (...args) => harness().api(...args);
  const instance = (journey: string, accountKey: string) =>
    api('GET', `/v1/journeys/${journey}/instances?accountKey=${accountKey}`).then((r) => r.body.items[0] as InstanceView | undefined);

  /** Waits for a launch, pause, resume, stop or migration job to finish and gives its progress. */
  const finished = async (journey: string, accepted: { status: number; body: { jobId: string } }) => {
    expect(accepted.status).toBe(202);
    return eventually(async () => {
      const job = (await api('GET', `/v1/journeys/${journey}/jobs/${accepted.body.jobId}`)).body;
      return job.status === 'completed' ? job : undefined;
    }, { what: `job ${accepted.body.jobId}` });
  };

  return {
    /** Creates and publishes version 1 (manual entry unless the definition says otherwise). */
    async publish(definition: Record<string, unknown>): Promise<string> {
      const created = await api('POST', '/v1/journeys', { entry: { manual: true }, ...definition });
      expect(created.status).toBe(201);
      expect((await api('POST', `/v1/journeys/${created.body.id}/publish`)).body).toEqual({ version: 1 });
      return created.body.id;
    },
    instance,
    /** Waits until the account's instance is at the node with the status. */
    at: (journey: string, accountKey: string, nodeId: string, status = 'waiting', timeoutMs?: number) =>
      eventually(async () => {
        const i = await instance(journey, accountKey);
        return i?.nodeId === nodeId && i.status === status ? i : undefined;
      }, { what: `${accountKey} at ${nodeId} (${status})`, timeoutMs }),
    finished,
    launch: async (journey: string, accountKeys: string[]) => finished(journey, await api('POST', `/v1/journeys/${journey}/launch`, { accountKeys })),
    steer: async (journey: string, action: 'pause' | 'resume' | 'stop') => finished(journey, await api('POST', `/v1/journeys/${journey}/${action}`)),
    outbound: async (accountKey: string) => (await api('GET', `/v1/outbound-messages?accountKey=${accountKey}`)).body.items as { _id?: string; id?: string; type: string; payload: { nodeId: string; journeyId?: string } }[],
  };
}
