// This process's database statements over a phase, counted and timed per
// collection and operation by wrapping mongoose's Query#exec. (The driver's
// command monitoring would do it, but it is fixed when the client connects and
// decodes every reply a second time.) Inserts are not queries: not counted.
import mongoose from 'mongoose';
import { round, summarize } from '../stats';

export function timeQueries() {
  const proto = mongoose.Query.prototype;
  const exec = proto.exec;
  const samples = new Map<string, number[]>();
  proto.exec = async function timed(this: mongoose.Query<unknown, unknown>, ...args: Parameters<typeof exec>) {
    const start = performance.now();
    try {
      return await exec.apply(this, args);
    } finally {
      // `op` is set on every query at run time; mongoose's types leave it out.
      const key = `${this.model.collection.collectionName}.${(this as unknown as { op: string }).op}`;
      let list = samples.get(key);
      if (!list) samples.set(key, (list = []));
      list.push(performance.now() - start);
    }
  } as typeof exec;
  /** Ends the phase: per statement kind, how many and how long each took (ms, concurrent ones overlapping). */
  return (perItem: number) => {
    proto.exec = exec;
    const kinds = [...samples].map(([kind, ms]) => ({ kind, totalMs: ms.reduce((s, v) => s + v, 0), ms }));
    kinds.sort((a, b) => b.totalMs - a.totalMs);
    const statements = kinds.reduce((s, k) => s + k.ms.length, 0);
    const totalMs = kinds.reduce((s, k) => s + k.totalMs, 0);
    return {
      statements,
      statementsPerItem: round(statements / Math.max(1, perItem)),
      statementMsPerItem: round(totalMs / Math.max(1, perItem)),
      byKind: Object.fromEntries(kinds.map((k) => [k.kind, { ...summarize(k.ms), perItem: round(k.ms.length / Math.max(1, perItem)) }])),
    };
  };
}
