import { model, Schema } from 'mongoose';

/** What a marketing email is about, for consent per topic (api: PUT /v1/subscription-topics/:key), `_id` its key. */
const subscriptionTopicSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    requireOptIn: { type: Boolean, required: true, default: false },
  },
  { timestamps: true, versionKey: false },
);

export const SubscriptionTopic = model('SubscriptionTopic', subscriptionTopicSchema, 'subscription_topics');
