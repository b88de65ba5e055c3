import { InferSchemaType, model, Schema } from 'mongoose';
import { notesAudienceChanges } from './audience-notes';

/**
 * One group per (account, solution interest), `_id` `bg:<accountKey>:<templateKey>`.
 * Members, completeness and status are written by the account's entity
 * workflow only (one writer per document: the embedded database rewrites whole
 * documents, so two writers would lose updates); manual choices live apart.
 */
const buyingGroupSchema = new Schema(
  {
    _id: { type: String, required: true },
    accountKey: { type: String, required: true, index: true },
    templateKey: { type: String, required: true, index: true },
    solutionInterest: { type: String, required: true },
    name: { type: String, required: true },
    members: { type: [Schema.Types.Mixed], default: [] },
    missingRoles: { type: [String], default: [] },
    completeness: { type: Number, default: 0 },
    engagement: { type: Number, default: 0 },
    status: { type: String, enum: ['incomplete', 'complete', 'shared_with_sales'], default: 'incomplete' },
    sharedAt: Date,
    /** Status changes with the completeness at the time, newest last (bounded). */
    history: { type: [Schema.Types.Mixed], default: [] },
    createdAt: { type: Date, required: true },
    evaluatedAt: Date,
  },
  { versionKey: false, minimize: false },
);

buyingGroupSchema.plugin(notesAudienceChanges('buyingGroups'));
export const BuyingGroup = model('BuyingGroup', buyingGroupSchema, 'buying_groups');
export type BuyingGroupDoc = InferSchemaType<typeof buyingGroupSchema> & { _id: string };

export function buyingGroupId(accountKey: string, templateKey: string): string {
  return `bg:${accountKey}:${templateKey}`;
}

/** A manual choice (PATCH): `_id` `<groupId>:<personId>`, role or null for "not in this group". Written by the API only. */
const groupOverrideSchema = new Schema(
  {
    _id: { type: String, required: true },
    groupId: { type: String, required: true, index: true },
    personId: { type: String, required: true },
    role: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const BuyingGroupOverride = model('BuyingGroupOverride', groupOverrideSchema, 'buying_group_overrides');
