// Closed-loop clients: each sends a request, waits for the answer and sends
// the next, until the time is up or `send` says there is nothing left. The
// rate is what the server answers, not one we chose.

/**
 * Runs `clients` loops of `send` for `seconds`; `send(client, start)` makes one
 * request (and records it) and returns false when there is no more to send.
 */
export async function closedLoop(clients: number, seconds: number, send: (client: number, start: number) => Promise<boolean>): Promise<{ start: number; loadMs: number }> {
  const start = Date.now();
  const deadline = start + seconds * 1000;
  const client = async (c: number) => {
    while (Date.now() < deadline && (await send(c, start)));
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return { start, loadMs: Date.now() - start };
}
