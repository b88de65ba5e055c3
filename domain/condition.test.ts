import fc from 'fast-check';
import { checkFields, Condition, describe as describeCondition, evaluate } from './condition';
import { conditionSchema } from './condition-schema';

const ctx = {
  person: { jobTitle: 'Chief Technology Officer (CTO)', seniority: 'Director', attributes: { interests: ['AI', 'Seeds'] } },
  account: { key: 'acme', employees: 5000, fundingRound: 'Series D', industry: 'Agriculture' },
  event: { type: 'email_open', properties: { subject: 'Product A launch' } },
};

describe('conditions a marketer writes', () => {
  test.each<[Condition, boolean]>([
    [{ field: 'person.jobTitle', op: 'contains', value: 'cto' }, true],
    [{ field: 'account.employees', op: 'gt', value: 1000 }, true],
    [{ field: 'account.fundingRound', op: 'gte', value: 'D' }, true],
    [{ field: 'account.fundingRound', op: 'gte', value: 'E' }, false],
    [{ field: 'person.seniority', op: 'in', value: ['VP', 'director'] }, true],
    [{ field: 'person.attributes.interests', op: 'contains', value: 'ai' }, true],
    [{ field: 'account.industry', op: 'eq', value: 'agriculture' }, true],
    [{ field: 'account.country', op: 'exists' }, false],
    [{ not: { field: 'account.country', op: 'exists' } }, true],
    [{ any: [{ field: 'event.properties.subject', op: 'contains', value: 'Product B' }, { field: 'event.type', op: 'eq', value: 'email_open' }] }, true],
    [{ all: [{ field: 'account.employees', op: 'lt', value: 10 }, { field: 'event.type', op: 'eq', value: 'email_open' }] }, false],
  ])('%j is %s', (c, expected) => {
    expect(evaluate(c, ctx)).toBe(expected);
  });

  test('not inverts any condition, and all/any of one condition is that condition', () => {
    const leaf = fc.record({
      field: fc.constantFrom('account.employees', 'account.fundingRound', 'person.jobTitle', 'account.country'),
      op: fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const, 'lte' as const, 'contains' as const, 'exists' as const),
      value: fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.constantFrom('D', 'cto', 'Series A')),
    });
    fc.assert(
      fc.property(leaf, (c) => {
        expect(evaluate({ not: c }, ctx)).toBe(!evaluate(c, ctx));
        expect(evaluate({ all: [c] }, ctx)).toBe(evaluate(c, ctx));
        expect(evaluate({ any: [c] }, ctx)).toBe(evaluate(c, ctx));
      }),
    );
  });

  test('a value can never be an object, so it can never become a query operator', () => {
    expect(conditionSchema.safeParse({ field: 'account.name', op: 'eq', value: { $gt: '' } }).success).toBe(false);
    expect(conditionSchema.safeParse({ field: 'account.name', op: 'eq', value: 'Acme' }).success).toBe(true);
  });

  test('fields that exist on neither person nor account are named', () => {
    expect(checkFields({ field: 'person.shoeSize', op: 'gt', value: 40 }, ['person', 'account'])[0].path).toBe('field');
    expect(checkFields({ all: [{ field: 'account.employees', op: 'gt', value: 1 }, { field: 'deal.size', op: 'gt', value: 1 }] }, ['person', 'account'])[0].path).toBe('all.1.field');
    expect(checkFields({ field: 'account.fundingRound', op: 'gte', value: 'Z' }, ['account'])[0].message).toMatch(/not one of/);
    expect(checkFields({ field: 'person.attributes.favouriteColour', op: 'eq', value: 'blue' }, ['person'])).toEqual([]);
  });

  test('explanations read like the rule', () => {
    expect(describeCondition({ field: 'event.properties.subject', op: 'contains', value: 'Product A' })).toBe("subject contains 'Product A'");
    expect(describeCondition({ field: 'account.employees', op: 'gt', value: 1000 })).toBe('account.employees > 1000');
  });
});
