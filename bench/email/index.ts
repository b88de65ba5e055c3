// "N recipients (default 10,000) through the whole path (journey → consent →
// render → SMTP), beside raw nodemailer sends of the same messages to the same
// SMTP server in the same run. Goal: ≥ 0.5× the raw rate, with no duplicate
// arriving." N = BENCH_PEOPLE, in accounts of 100 people (seed.ts); the SMTP
// server is the stack's counting one (sink.ts), and the email queue's rate
// limit is raised to BENCH_EMAIL_RATE (10,000/s; 20/s by default) for the run.
//
// Order: the path (path.ts); the floor (floor.ts), twice, with the messages the
// path delivered, as received (the machine is shared: the better of the two
// runs is the floor the ratio uses); then the path taken apart (histories.ts,
// parts.ts) to say where its time goes.
import { EmailTemplate } from '../../models/email-template';
import { Journey, JourneyInstance, JourneyVersion } from '../../models/journey';
import { OutboundMessage } from '../../models/outbound-message';
import { SubscriptionTopic } from '../../models/subscription-topic';
import { journeyWorkflowId } from '../../workflows/journey-messages';
import { newId } from '../../lib/ids';
import { forEachLimit, removeAccounts, Scenario, within } from '../scenario';
import { rawSends } from './floor';
import { dispatcherLegs, journeyLegs } from './histories';
import { activityAlone, recordFresh } from './parts';
import { readBack, throughJourney } from './path';
import { createJourney, generate, PEOPLE_PER_ACCOUNT, seed, TEMPLATE, TOPIC } from './seed';
import { removeJobs } from '../journeys/clean-up';

const GOAL = 0.5;
/** Messages the parts are measured with: a rate needs no more. */
const PARTS_SAMPLE = 2000;

/** A fixed-size slot supplier's size (the worker's concurrent tasks of a kind), or null for another kind. */
const slots = (supplier: unknown) => (supplier as { numSlots?: number }).numSlots ?? null;

async function cleanUp(journeyId: string | undefined, keys: string[]): Promise<void> {
  await forEachLimit(keys, 4, async (accountKey) => {
    await OutboundMessage.deleteMany({ accountKey });
    if (journeyId) await JourneyInstance.deleteOne({ _id: journeyWorkflowId(journeyId, accountKey) });
  });
  if (journeyId) {
    await removeJobs(journeyId);
    await JourneyVersion.deleteOne({ _id: `${journeyId}:v1` });
    await Journey.deleteOne({ _id: journeyId });
  }
  await EmailTemplate.deleteOne({ _id: TEMPLATE });
  await SubscriptionTopic.deleteOne({ _id: TOPIC });
  await removeAccounts(keys);
}

export const email: Scenario = async ({ stack, people: n, log }) => {
  const accounts = generate(n);
  const keys = accounts.map((a) => a.key);
  const runTag = newId('r').slice(2, 10);
  const rate = stack.config.EMAIL_RATE_PER_SECOND;
  log(`email: ${n} recipients in ${accounts.length} accounts; email queue limit ${rate}/s (default 20)`);
  let journeyId: string | undefined;
  try {
    const seedStart = Date.now();
    await seed(accounts);
    journeyId = await createJourney(stack, runTag);
    const seedMs = Date.now() - seedStart;
    log(`email: seeded in ${(seedMs / 1000).toFixed(1)} s; the path...`);

    const path = await throughJourney(stack, journeyId, keys, n, log);
    log(`email: path ${path.figures.perSecond}/s, ${path.figures.arrived}/${n} arrived, ${path.figures.duplicates} duplicates; raw sends of the same messages...`);
    const delivered = await stack.smtp.received();
    const floorRuns = [await rawSends(stack, delivered), await rawSends(stack, delivered)];
    const floor = Math.max(...floorRuns.map((r) => r.perSecond));
    // Three decimals: the ratio is far below 1 (round() keeps one).
    const ratio = Math.round((path.figures.perSecond / floor) * 1000) / 1000;
    log(`email: raw nodemailer ${floorRuns.map((r) => r.perSecond).join(', ')}/s; path/floor ${ratio} (goal ≥ ${GOAL}); reading where the time went...`);

    const recorded = await readBack(journeyId, keys, path.launchedAt);
    const legs = { dispatcher: await dispatcherLegs(stack), journey: await journeyLegs(stack, journeyId, keys, path.launchedAt) };
    const ids = await recordFresh(accounts, Math.min(n, PARTS_SAMPLE), runTag);
    const alone = await activityAlone(stack, ids, runTag);
    log(`email: deliverEmails alone ${alone.perSecond}/s`);

    return {
      figures: {
        recipients: n,
        accounts: accounts.length,
        peoplePerAccount: PEOPLE_PER_ACCOUNT,
        emailRatePerSecond: rate,
        worker: { workflowTaskSlots: slots(stack.worker.options.tuner.workflowTaskSlotSupplier), activityTaskSlots: slots(stack.worker.options.tuner.activityTaskSlotSupplier), maxCachedWorkflows: stack.worker.options.maxCachedWorkflows },
        seedMs,
        path: path.figures,
        ratioToFloor: ratio,
        goal: `≥ ${GOAL}× the raw rate, no duplicate`,
        goalMet: ratio >= GOAL && path.figures.duplicates === 0 && path.figures.complete,
        recorded: recorded.figures,
        legs,
        parts: { deliverEmailsInProcess: alone },
      },
      baseline: { rawNodemailer: floorRuns, floorPerSecond: floor },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(journeyId, keys), 900000, 'removing the scenario data').catch((err: Error) => log(`email: clean-up: ${err.message}`));
    log(`email: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
