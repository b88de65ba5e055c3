// Search attributes that make the Temporal UI tell the story. Keys only, never
// personal data. Registered by the embedded start and the test set-up.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const AccountKey = defineSearchAttributeKey('AccountKey', SearchAttributeType.KEYWORD);
export const JourneyId = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersion = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.INT);
export const NodeId = defineSearchAttributeKey('NodeId', SearchAttributeType.KEYWORD);
export const JourneyStatus = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);
export const NurtureStreamId = defineSearchAttributeKey('NurtureStreamId', SearchAttributeType.KEYWORD);
/** 1-based, the stage of the person's last cast (0 before the first). */
export const NurtureStage = defineSearchAttributeKey('NurtureStage', SearchAttributeType.INT);
export const NurtureStatus = defineSearchAttributeKey('NurtureStatus', SearchAttributeType.KEYWORD);

export const allSearchAttributes = [AccountKey, JourneyId, JourneyVersion, NodeId, JourneyStatus, NurtureStreamId, NurtureStage, NurtureStatus];

const cliTypeNames: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
};

/** `--search-attribute` arguments of `temporal server start-dev`. */
export function searchAttributeCliArgs(): string[] {
  return allSearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=${cliTypeNames[k.type]}`]);
}
