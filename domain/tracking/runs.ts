/** One message's identity claim, as keys of One ID ("userId:u1", "anonymousId:a1"). */
export interface ClaimKeys {
  keys: readonly string[];
  /** Resolved on its own (an alias merges two people: what comes after must see the merge). */
  alone?: boolean;
}

/**
 * Splits a batch's claims, in message order, into runs that can be resolved
 * together. Within one resolution, identifiers first seen in the same batch
 * are bound as they come but never merged, so a claim that joins identifiers
 * (two or more keys) one of which an earlier claim of the run named starts a
 * new run: the earlier claims are written first, and the join then merges
 * whom they made (an anonymous visit, then the identify that names her).
 */
export function identityRuns(claims: readonly ClaimKeys[]): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  let seen = new Set<string>();
  const flush = () => {
    if (run.length) runs.push(run);
    run = [];
    seen = new Set();
  };
  claims.forEach((claim, i) => {
    const joins = claim.keys.length > 1 && claim.keys.some((k) => seen.has(k));
    if (claim.alone || joins) flush();
    run.push(i);
    for (const k of claim.keys) seen.add(k);
    if (claim.alone) flush();
  });
  flush();
  return runs;
}
