import mongoose from 'mongoose';

/**
 * Marks a query operator written by our code. The connection sanitizes filters
 * (operator objects coming from request values become literals); only values
 * wrapped here keep their operator meaning.
 */
export function op<T extends object>(operator: T): T {
  return mongoose.trusted(operator) as T;
}
