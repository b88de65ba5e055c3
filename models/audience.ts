import { InferSchemaType, model, Schema } from 'mongoose';

/**
 * An ad audience kept equal to one of our person segments (api: PUT
 * /v1/audiences/:key); `_id` is its key. `destination.accessToken` is sealed
 * (lib/secret-box) and read only through lib/audiences.
 */
const audienceSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    segmentId: { type: String, required: true },
    destination: {
      kind: { type: String, required: true, enum: ['linkedin'] },
      baseUrl: String,
      segmentUrn: { type: String, required: true },
      accessToken: String,
    },
    /** When it started following its segment (created, or given another one): names the seeding with the segment's members. */
    followingSince: { type: Date, required: true },
    /** When a change last reached the platform. */
    lastSyncAt: Date,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

/**
 * Who the platform holds for an audience, as confirmed by its answers:
 * `_id` is `<audienceKey>:<personId>`, `sha256Email` what was added (so the
 * removal removes it, whatever the person's email has become since).
 */
const audienceMemberSchema = new Schema(
  {
    _id: { type: String, required: true },
    audienceKey: { type: String, required: true, index: true },
    personId: { type: String, required: true },
    sha256Email: { type: String, required: true },
    addedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const Audience = model('Audience', audienceSchema, 'audiences');
export type AudienceDoc = InferSchemaType<typeof audienceSchema> & { _id: string };
export const AudienceMember = model('AudienceMember', audienceMemberSchema, 'audience_members');
