import { Schema } from 'mongoose';

/** Activity counters kept on people and accounts (maintained, never counted on read). */
export const activitySchema = new Schema(
  {
    total: { type: Number, default: 0 },
    byType: { type: Schema.Types.Mixed, default: {} },
  },
  { _id: false, minimize: false },
);
