import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { Client } from 'pg';
import { testServers } from './support/servers';

// FerretDB filters `{ field: value }` as `_jsonb -> 'field' @> value`; these tests pin
// down that the embedded PostgreSQL answers that from an index, for _id and for every
// index a model declares, so a lookup does not scan its collection.
const database = `indexes_${randomBytes(4).toString('hex')}`;
let connection: mongoose.Connection;
let pg: Client;

beforeAll(async () => {
  connection = await mongoose.createConnection(`${testServers().mongoBase}/${database}`).asPromise();
  pg = new Client({ connectionString: testServers().postgresUrl });
  await pg.connect();
});
afterAll(async () => {
  await connection?.close();
  await pg?.end();
});

async function tableOf(collection: string): Promise<string> {
  const res = await pg.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE $2', [database, `${collection}_%`]);
  return res.rows[0].table_name;
}

async function plan(table: string, field: string, value: string): Promise<string> {
  const res = await pg.query(`EXPLAIN SELECT _jsonb FROM "${database}"."${table}" WHERE _jsonb -> $1 @> $2`, [field, JSON.stringify(value)]);
  return res.rows.map((r) => r['QUERY PLAN']).join('\n');
}

test('a person is found by _id and by an indexed field through an index, not by scanning the collection', async () => {
  const people = connection.collection<{ _id: string; accountKey: string }>('people');
  await people.createIndex({ accountKey: 1 });
  await people.insertMany(Array.from({ length: 2000 }, (_, i) => ({ _id: `p_${i}`, accountKey: `acme-${i % 100}` })));
  const table = await tableOf('people');
  await pg.query(`ANALYZE "${database}"."${table}"`);
  expect(await plan(table, '_id', 'p_7')).toMatch(/Index Scan/);
  expect(await plan(table, 'accountKey', 'acme-7')).toMatch(/Index Scan/);
  expect(await people.findOne({ _id: 'p_7' })).toEqual({ _id: 'p_7', accountKey: 'acme-7' });
  expect(await people.countDocuments({ accountKey: 'acme-7' })).toBe(20);
});

test('dropping an index also drops its equality companion', async () => {
  const accounts = connection.collection<{ _id: string; domain: string }>('accounts');
  await accounts.createIndex({ domain: 1 }, { name: 'domain_1' });
  await accounts.insertOne({ _id: 'acme', domain: 'acme.example' });
  const table = await tableOf('accounts');
  const companions = async () => (await pg.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname LIKE '%domain%'`, [database, table])).rows.map((r) => r.indexname as string);
  expect((await companions()).filter((n) => n.endsWith('_gin'))).toHaveLength(1);
  await accounts.dropIndex('domain_1');
  expect(await companions()).toEqual([]);
});

test('updates of one document at the same moment all land, as on MongoDB', async () => {
  const docs = connection.collection<{ _id: string; name?: string; score?: number; visits?: number }>('atomic');
  await docs.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `a${i}` })));
  // An attribute change from the API and a score write from the worker, racing on each account.
  await Promise.all(Array.from({ length: 50 }, (_, i) => [docs.updateOne({ _id: `a${i}` }, { $set: { name: `Account ${i}` } }), docs.updateOne({ _id: `a${i}` }, { $set: { score: i } })]).flat());
  const all = await docs.find({}).toArray();
  expect(all.filter((d) => d.name === undefined || d.score === undefined)).toEqual([]);

  await Promise.all(Array.from({ length: 100 }, () => docs.updateOne({ _id: 'a0' }, { $inc: { visits: 1 } })));
  expect((await docs.findOne({ _id: 'a0' }))?.visits).toBe(100);
});
