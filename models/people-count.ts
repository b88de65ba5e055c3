import { model, Schema } from 'mongoose';

/** People moved onto a model version or a segment revision (domain/people-counts.ts), by `field:value`. */
const peopleCountSchema = new Schema(
  {
    _id: { type: String, required: true },
    people: { type: Number, required: true },
  },
  { versionKey: false },
);

export const PeopleCount = model('PeopleCount', peopleCountSchema, 'people_counts');
