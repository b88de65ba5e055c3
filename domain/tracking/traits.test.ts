import { accountTraits, personTraits } from './traits';

describe('identify traits on the person', () => {
  test('names, title and department become fields; phone, plan and the rest become attributes; the email is left to One ID', () => {
    expect(personTraits({ email: 'ann@acme.example', firstName: 'Ann', last_name: 'Lee', title: 'CTO', department: 'R&D', phone: '+31 20 555', plan: 'pro' })).toEqual({
      fields: { firstName: 'Ann', lastName: 'Lee', jobTitle: 'CTO', department: 'R&D' },
      attributes: { phone: '+31 20 555', plan: 'pro' },
    });
  });
  test('a full name fills first and last name when neither is given', () => {
    expect(personTraits({ name: 'Ann Marie Lee' }).fields).toEqual({ firstName: 'Ann', lastName: 'Marie Lee' });
    expect(personTraits({ name: 'Ann Lee', firstName: 'Annie' }).fields).toEqual({ firstName: 'Annie' });
  });
  test('an attribute key a database would misread is refused with its path', () => {
    expect(() => personTraits({ 'a.b': 1 })).toThrow(expect.objectContaining({ path: 'traits.a.b' }));
  });
});

describe('group traits on the account', () => {
  test('name, industry, employees (also as text) and the website host become fields; plan is an attribute; the owner is never taken', () => {
    expect(accountTraits({ name: 'Acme', industry: 'Seeds', employees: '5000', website: 'https://www.acme.example/about', plan: 'enterprise', ownerId: 'rep-9', address: { country: 'NL' } })).toEqual({
      fields: { name: 'Acme', industry: 'Seeds', employees: 5000, domain: 'acme.example', country: 'NL' },
      attributes: { plan: 'enterprise' },
    });
  });
});
