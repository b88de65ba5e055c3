import net from 'node:net';

/** Resolves when nothing listens on host:port, rejects with a clear message otherwise. */
export function assertPortFree(port: number, what: string, envVar: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () =>
      reject(new Error(`port ${host}:${port} for ${what} is already in use: stop whatever holds it or set ${envVar} to another port`)),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** A port the kernel reports free on loopback now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until a TCP connection to host:port succeeds. */
export async function waitForPort(port: number, what: string, timeoutMs = 60000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not open ${host}:${port} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
