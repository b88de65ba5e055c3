import { Audience, AudienceMember, type AudienceDoc } from '../models/audience';
import { OutboundMessage } from '../models/outbound-message';
import { loadConfig } from './config';
import { secretBox, type SecretBox } from './secret-box';
import { versionedCache } from './versioned-cache';

export interface AudienceInput {
  name: string;
  segmentId: string;
  /** `accessToken`: a value replaces the stored one, `null` removes it, absent keeps it. */
  destination: { kind: 'linkedin'; baseUrl?: string; accessToken?: string | null; segmentUrn: string };
}

/** What the API shows: whether the token is set, never what it is; how many the platform holds, when it last took a change, how many changes are on their way. */
export interface AudienceView {
  key: string;
  name: string;
  segmentId: string;
  destination: { kind: 'linkedin'; baseUrl: string | null; segmentUrn: string; hasAccessToken: boolean };
  size: number;
  lastSyncAt: string | null;
  pending: number;
  updatedAt: string;
}

/** What the delivery needs: the destination with its token in clear. Never log or return it. */
export interface AudienceDestination {
  key: string;
  baseUrl?: string;
  segmentUrn: string;
  accessToken?: string;
}

// Sealed with the key CRM credentials use (CRM_SECRET_KEY): one passphrase for every stored credential.
let box: { passphrase: string; box: SecretBox } | undefined;
function secrets(): SecretBox {
  const passphrase = loadConfig().CRM_SECRET_KEY;
  if (box?.passphrase !== passphrase) box = { passphrase, box: secretBox(passphrase) };
  return box.box;
}
// A sealed token opens only as the token of the audience it was stored for.
const contextOf = (key: string) => `audience:${key}:accessToken`;

/** Messages not final yet: status is a top-level equality; the destination is then checked among the few open ones. */
const OPEN = ['pending', 'deferred', 'failed'] as const;
async function pendingOf(key: string): Promise<number> {
  const counts = await Promise.all(OPEN.map((status) => OutboundMessage.countDocuments({ status, channel: 'audience', 'payload.destination': key })));
  return counts.reduce((a, b) => a + b, 0);
}

async function viewOf(doc: AudienceDoc): Promise<AudienceView> {
  const [size, pending] = await Promise.all([AudienceMember.countDocuments({ audienceKey: doc._id }), pendingOf(doc._id)]);
  const d = doc.destination!;
  return {
    key: doc._id,
    name: doc.name,
    segmentId: doc.segmentId,
    destination: { kind: 'linkedin', baseUrl: d.baseUrl ?? null, segmentUrn: d.segmentUrn, hasAccessToken: !!d.accessToken },
    size,
    lastSyncAt: doc.lastSyncAt?.toISOString() ?? null,
    pending,
    updatedAt: doc.updatedAt.toISOString(),
  };
}

export async function storedAudience(key: string) {
  return Audience.findOne({ _id: key }).lean();
}

/**
 * Creates or replaces an audience; a token left out stays as stored. Returns,
 * besides the view, the seed of its following the segment: it changes when
 * the audience is created or given another segment.
 */
export async function saveAudience(key: string, input: AudienceInput): Promise<{ created: boolean; seed: string; view: AudienceView }> {
  const before = await Audience.findOne({ _id: key }, { segmentId: 1 }).lean();
  const { accessToken, baseUrl, ...destination } = input.destination;
  const set: Record<string, unknown> = { name: input.name, segmentId: input.segmentId, 'destination.kind': destination.kind, 'destination.segmentUrn': destination.segmentUrn };
  if (before?.segmentId !== input.segmentId) set.followingSince = new Date();
  const unset: Record<string, 1> = {};
  if (baseUrl === undefined) unset['destination.baseUrl'] = 1;
  else set['destination.baseUrl'] = baseUrl;
  if (typeof accessToken === 'string') set['destination.accessToken'] = secrets().seal(accessToken, contextOf(key));
  else if (accessToken === null) unset['destination.accessToken'] = 1;
  // Field by field: a concurrent PUT that sets the token is never undone by one that omits it.
  const result = await Audience.updateOne({ _id: key }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { upsert: true, runValidators: true });
  const saved = await Audience.findOne({ _id: key }).lean();
  return { created: result.upsertedCount > 0, seed: String(saved!.followingSince.getTime()), view: await viewOf(saved!) };
}

export async function audienceView(key: string): Promise<AudienceView | undefined> {
  const doc = await Audience.findOne({ _id: key }).lean();
  return doc ? viewOf(doc) : undefined;
}

/** Audiences by key, from `offset`; one more than `limit` tells the caller there is a next page. */
export async function audienceViews(offset: number, limit: number): Promise<AudienceView[]> {
  const docs = await Audience.find({}).sort({ _id: 1 }).skip(offset).limit(limit + 1).lean();
  return Promise.all(docs.map(viewOf));
}

/** Deletes the audience and what we know it holds; the platform's segment is left as it is. Whether there was one. */
export async function deleteAudience(key: string): Promise<boolean> {
  const deleted = (await Audience.deleteOne({ _id: key })).deletedCount > 0;
  if (deleted) await AudienceMember.deleteMany({ audienceKey: key });
  return deleted;
}

/**
 * The destination with its token opened, for the delivery; undefined when
 * there is no such audience. Throws when the stored token does not open
 * (CRM_SECRET_KEY changed, or the record was altered).
 */
export async function audienceDestination(key: string): Promise<AudienceDestination | undefined> {
  const doc = await Audience.findOne({ _id: key }).lean();
  if (!doc?.destination) return undefined;
  const { baseUrl, segmentUrn, accessToken } = doc.destination;
  let token: string | undefined;
  try {
    if (accessToken) token = secrets().open(accessToken, contextOf(key));
  } catch {
    throw new Error(`audience '${key}': the stored accessToken does not open with CRM_SECRET_KEY (was the key changed?)`);
  }
  return { key, ...(baseUrl ? { baseUrl } : {}), segmentUrn, ...(token ? { accessToken: token } : {}) };
}

/** Which audiences follow each segment (segment id → audience keys); a small collection, read whole. */
async function readFollowers(): Promise<Map<string, string[]>> {
  const followers = new Map<string, string[]>();
  for (const a of await Audience.find({}, { segmentId: 1 }).lean()) followers.set(a.segmentId, [...(followers.get(a.segmentId) ?? []), a._id]);
  return followers;
}

/** The followers as entity batches see them, read at most once a second per process (audiences have no revision: the cache only ages). */
export const audienceFollowers = versionedCache(readFollowers, () => 0);
