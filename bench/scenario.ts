// What every scenario gets and gives back, and the small helpers they share.
import { Account } from '../models/account';
import { Identity } from '../models/identity';
import { Person } from '../models/person';
import type { AnyStack, ApiResponse, BenchStack } from './stack';

export interface ScenarioContext<S extends AnyStack = BenchStack> {
  stack: S;
  people: number;
  seconds: number;
  log: (line: string) => void;
  /** Writes what a long scenario has measured so far to its result file, marked partial: a run stopped later still leaves those figures. */
  progress(partial: ScenarioResult): void;
}

export interface ScenarioResult {
  figures: Record<string, unknown>;
  /** The floor the figures are compared with, measured in the same run on the same database (written as `floor`). */
  baseline: Record<string, unknown>;
  /** Set when the scenario could not run (an endpoint it needs is missing). */
  skipped?: string;
}

export type Scenario<S extends AnyStack = BenchStack> = (ctx: ScenarioContext<S>) => Promise<ScenarioResult>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs fn over items with at most `limit` at a time (a bench must not open unbounded requests). */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i], i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function expectStatus(res: ApiResponse, ok: number[], what: string): void {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
}

/**
 * Rejects when p has not settled in time. A stalled database never answers and
 * the driver has no timeout of its own: every wait on it in a scenario is bounded.
 */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s (is the database stalled?)`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Polls until check returns a value or the time is up (then undefined): never a fixed sleep. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await within(check(), Math.max(0, deadline - Date.now()) + everyMs, 'check').catch(() => undefined);
    if (v !== undefined || Date.now() > deadline) return v;
    await sleep(everyMs);
  }
}

/**
 * Polls a growing number until done(value), giving up when it has not grown for
 * stallMs (a stuck engine is reported in minutes, not after the longest wait)
 * or after maxMs in all.
 */
export async function waitForProgress(read: () => Promise<number>, done: (n: number) => boolean, opts: { stallMs: number; maxMs: number; everyMs: number }): Promise<{ value: number; done: boolean }> {
  const start = Date.now();
  let value = -1;
  let grewAt = start;
  for (;;) {
    const n = await within(read(), opts.stallMs, 'progress check').catch(() => value);
    if (n > value) [value, grewAt] = [n, Date.now()];
    if (done(value)) return { value, done: true };
    if (Date.now() - grewAt > opts.stallMs || Date.now() - start > opts.maxMs) return { value, done: false };
    await sleep(opts.everyMs);
  }
}

/** Saves a scoring model; undefined when the endpoint does not exist (yet) on this build. */
export async function putScoringModel(stack: AnyStack, model: unknown): Promise<number | undefined> {
  const res = await stack.api('PUT', '/v1/scoring-model', model);
  if (res.status === 404 || res.status === 405) return undefined;
  expectStatus(res, [200, 201], 'PUT /v1/scoring-model');
  return res.body.version as number;
}

/** Creates the accounts of a scenario (through the API, as a marketer would). */
export async function putAccounts(stack: AnyStack, keys: string[], employees: (i: number) => number): Promise<void> {
  await forEachLimit(keys, 16, async (key, i) => {
    const res = await stack.api('PUT', `/v1/accounts/${key}`, { name: `Bench ${key}`, domain: `${key}.example.com`, employees: employees(i) });
    expectStatus(res, [200, 201], `PUT /v1/accounts/${key}`);
  });
}

/**
 * Removes a scenario's accounts and people, so the next scenario in the same
 * run counts and re-scores only its own. Straight through the models: the API
 * has no delete, and this is clean-up, not a measured path. One equality at a
 * time: `$in` is a full decode on the embedded database (over 120 s for 5,020
 * accounts at 100,000 people), so the limit grows with the keys.
 */
export async function removeAccounts(keys: string[]): Promise<void> {
  const remove = () =>
    forEachLimit(keys, 8, async (key) => {
      await Person.deleteMany({ accountKey: key });
      await Identity.deleteMany({ accountKey: key });
      await Account.deleteOne({ _id: key });
    });
  await within(remove(), 120000 + keys.length * 100, 'removing the scenario data');
}
