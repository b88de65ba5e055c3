import type { DeliveryTarget } from '../lib/deliver-events';
import { makeEntityActivities } from './apply-events';
import { makeRefreshBuyingGroups } from './buying-groups';
import { makeRunJourneyAction, WebhookSettings } from './journey-actions';
import { accountMatches, evaluateSplit, recordJourneyStep } from './journey-data';
import { makeImportActivities } from './import';
import { EmailDeliverySettings, makeEmailDelivery } from './deliver-email';
import { makeStartPendingDeliveries } from '../lib/deliveries';
import { claimDeliveries, releaseDueDeliveries } from './dispatch';
import { makeCrmDelivery } from './deliver-crm';
import { makeAudienceDelivery } from './deliver-audience';
import { makeSeedAudience } from './audience-seed';
import { makeJourneyJobActivities } from './journey-jobs';
import { makeLeadTransferActivities } from './lead-transfers';
import { makeNurtureActivities } from './nurture';
import { makeNurtureFanOut } from './nurture-fan-out';
import { makeNurtureSegmentEntry } from './nurture-segment-entry';
import { makeResendPendingEvents } from './resend-pending';
import { countRescored, makeSignalRefreshAll, rescoreStatus, tallyRescored } from './rescore';
import { countEvaluated, countLivePeople, segmentEvaluations, segmentMemberCounts, segmentProgress } from './segments';

export interface ActivityDeps {
  delivery: DeliveryTarget;
  webhooks: WebhookSettings;
  email: EmailDeliverySettings;
  /** The background queue's activity slots, which its fan-outs pace themselves by. */
  backgroundSlots: number;
}

/** Activities built from their dependencies, so tests inject real ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...makeEntityActivities(deps.delivery),
    resendPendingEvents: makeResendPendingEvents(deps.delivery),
    signalRefreshAll: makeSignalRefreshAll(deps.delivery, deps.backgroundSlots),
    refreshBuyingGroups: makeRefreshBuyingGroups(deps.delivery),
    runJourneyAction: makeRunJourneyAction(deps.delivery, deps.webhooks),
    evaluateSplit,
    accountMatches,
    recordJourneyStep,
    countRescored,
    rescoreStatus,
    tallyRescored,
    segmentProgress,
    segmentEvaluations,
    countLivePeople,
    countEvaluated,
    segmentMemberCounts,
    ...makeImportActivities(deps.delivery),
    ...makeJourneyJobActivities(deps.delivery),
    ...makeEmailDelivery(deps.email),
    ...makeCrmDelivery(deps.delivery, deps.webhooks),
    ...makeAudienceDelivery(),
    seedAudience: makeSeedAudience(deps.delivery),
    startPendingDeliveries: makeStartPendingDeliveries(deps.delivery),
    claimDeliveries,
    releaseDueDeliveries,
    ...makeLeadTransferActivities(deps.delivery),
    ...makeNurtureActivities(deps.delivery),
    ...makeNurtureFanOut(deps.delivery),
    ...makeNurtureSegmentEntry(deps.delivery),
  };
}

export type Activities = ReturnType<typeof createActivities>;
