import mongoose from 'mongoose';

/**
 * Connects mongoose. Commands are not buffered: a request while the database
 * is away fails fast (503) instead of hanging.
 */
export async function connectMongo(url: string): Promise<typeof mongoose> {
  mongoose.set('bufferCommands', false);
  mongoose.set('strictQuery', true);
  // Query filters are built by our code from validated values; refuse `$`-keys
  // that would slip in from a raw object anyway (operator injection).
  mongoose.set('sanitizeFilter', true);
  // Mongoose keeps each query's call stack to name it if it is run twice; under
  // source maps that cost 3% of the worker's CPU in a re-score, for an error our code never makes.
  mongoose.set('skipOriginalStackTraces', true);
  await mongoose.connect(url, { serverSelectionTimeoutMS: 10000, autoIndex: true });
  return mongoose;
}

export async function disconnectMongo(): Promise<void> {
  await mongoose.disconnect();
}
