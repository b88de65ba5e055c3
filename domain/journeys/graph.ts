import { checkFields, ConditionProblem } from '../condition';
import { ACTION_PARAMS, JourneyDefinition, JourneyNode } from './definition';

/** The nodes a node can go to next. */
export function successors(node: JourneyNode): string[] {
  switch (node.type) {
    case 'wait':
      return [node.next];
    case 'waitForEvent':
      return [node.next, node.onTimeout];
    case 'split':
      return [...node.branches.map((b) => b.next), node.otherwise];
    case 'action':
      return [node.next, node.onError, node.onTimeout].filter((n): n is string => !!n);
    case 'exit':
      return [];
  }
}

/** Nodes where an instance spends time: a cycle must pass one, or it would spin. */
const waits = (node: JourneyNode) => node.type === 'wait' || node.type === 'waitForEvent';

/**
 * What a schema cannot check about a journey graph, each problem naming its
 * node: every `next` exists, every node is reachable from start, every cycle
 * passes a wait, an exit is reachable from every node, actions have valid
 * parameters and conditions name known fields.
 */
export function checkJourney(j: JourneyDefinition): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  const ids = Object.keys(j.nodes);
  if (!j.nodes[j.start]) problems.push({ path: 'start', message: `start node '${j.start}' does not exist` });
  for (const [id, node] of Object.entries(j.nodes)) {
    for (const next of successors(node)) if (!j.nodes[next]) problems.push({ path: `nodes.${id}`, message: `node '${id}' goes to '${next}', which does not exist` });
    if (node.type === 'action') {
      const parsed = ACTION_PARAMS[node.action].safeParse(node.params);
      if (!parsed.success) for (const i of parsed.error.issues) problems.push({ path: [`nodes.${id}.params`, ...i.path.map(String)].join('.'), message: i.message });
      if (!node.next) problems.push({ path: `nodes.${id}.next`, message: `action node '${id}' needs a next node` });
      if ((node.onError || node.onTimeout) && node.action !== 'webhook') problems.push({ path: `nodes.${id}`, message: `only webhook actions have onError/onTimeout branches` });
    }
    if (node.type === 'waitForEvent' && node.where) problems.push(...checkFields(node.where, ['event'], `nodes.${id}.where`));
    if (node.type === 'split') {
      node.branches.forEach((b, i) => {
        if ('field' in b.when || 'all' in b.when || 'any' in b.when || 'not' in b.when) problems.push(...checkFields(b.when, ['account'], `nodes.${id}.branches.${i}.when`));
      });
    }
  }
  if (problems.length) return problems;

  const reachable = new Set<string>();
  const stack = [j.start];
  while (stack.length) {
    const id = stack.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    stack.push(...successors(j.nodes[id]));
  }
  for (const id of ids) if (!reachable.has(id)) problems.push({ path: `nodes.${id}`, message: `node '${id}' cannot be reached from '${j.start}'` });

  // A cycle without a wait: depth-first search over the graph with wait nodes removed.
  const state = new Map<string, 'open' | 'done'>();
  const spin = (id: string, path: string[]): string[] | undefined => {
    if (waits(j.nodes[id])) return undefined;
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    for (const next of successors(j.nodes[id])) {
      const cycle = spin(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = spin(id, []);
    if (cycle) {
      problems.push({ path: `nodes.${cycle[0]}`, message: `cycle without a wait: ${cycle.join(' → ')}` });
      break;
    }
  }

  // From every node an exit must be reachable.
  const exits = new Set(ids.filter((id) => j.nodes[id].type === 'exit'));
  let grew = true;
  while (grew) {
    grew = false;
    for (const id of ids) {
      if (!exits.has(id) && successors(j.nodes[id]).some((n) => exits.has(n))) {
        exits.add(id);
        grew = true;
      }
    }
  }
  for (const id of ids) if (!exits.has(id)) problems.push({ path: `nodes.${id}`, message: `no exit can be reached from node '${id}'` });
  return problems;
}

/** The event types an instance of this journey can act on: what its waits wait for and what its exit rule names. */
export function eventTypesHeard(j: Pick<JourneyDefinition, 'nodes' | 'exitWhen'>): Set<string> {
  const types = new Set<string>();
  for (const node of Object.values(j.nodes)) if (node.type === 'waitForEvent') types.add(node.event);
  if (j.exitWhen && 'performed' in j.exitWhen) types.add(j.exitWhen.performed);
  return types;
}
