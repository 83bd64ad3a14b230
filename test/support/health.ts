// What a load balancer would see while the server works: /healthz polled
// until some work is done, every answer's status and how long it took.
export interface HealthAnswer {
  status: number;
  ms: number;
  /** When it was asked and when answered (performance.now()). */
  askedAt: number;
  answeredAt: number;
}

/** Polls /healthz every 20 ms until `done` settles. */
export async function healthWhile(port: number, done: Promise<unknown>): Promise<HealthAnswer[]> {
  const answers: HealthAnswer[] = [];
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    await res.arrayBuffer();
    const answeredAt = performance.now();
    answers.push({ status: res.status, ms: answeredAt - started, askedAt: started, answeredAt });
    await new Promise((r) => setTimeout(r, 20));
  }
  return answers;
}
