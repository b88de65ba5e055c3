import { crmMapping, NOT_PROVIDED, personProperties, salesforceAccount, salesforceLead } from './mapping';
import { hubspotTask, salesforceTask } from './tasks';

const person = {
  messageId: 'm1',
  email: '  Ada@Example.COM ',
  firstName: 'Ada',
  lastName: 'Lovelace',
  jobTitle: 'CTO',
  score: 87,
  status: 'qualified',
  summary: 'pricing page 3x, webinar',
  interests: ['analytics', 'security'],
  tags: ['vip'],
  role: 'decision maker',
  companyDomain: 'example.com',
};

describe('what a qualified lead looks like in the CRM', () => {
  test('HubSpot receives the contact under its own property names, lists as a;b, the email normalised', () => {
    expect(personProperties(person, crmMapping('hubspot'))).toEqual({
      email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', jobtitle: 'CTO',
      b2b_score: '87', b2b_status: 'qualified', b2b_summary: 'pricing page 3x, webinar',
      b2b_interests: 'analytics;security', b2b_tags: 'vip', b2b_role: 'decision maker',
    });
  });

  test('fields we do not know are simply not sent', () => {
    expect(personProperties({ messageId: 'm2', email: 'bo@example.com' }, crmMapping('hubspot'))).toEqual({ email: 'bo@example.com' });
  });

  test('a connection can rename a property or leave a field out', () => {
    const mapping = crmMapping('hubspot', { person: { score: 'lead_score', tags: '' } });
    const props = personProperties(person, mapping);
    expect(props.lead_score).toBe('87');
    expect(props).not.toHaveProperty('b2b_score');
    expect(props).not.toHaveProperty('b2b_tags');
  });

  test('a Salesforce Lead has the score as a number, the company and the external id holding the email', () => {
    expect(salesforceLead(person, crmMapping('salesforce'))).toMatchObject({
      Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace', Title: 'CTO', Company: 'example.com',
      B2B_Score__c: 87, B2B_Interests__c: 'analytics;security', B2B_Person_Id__c: 'ada@example.com',
    });
  });

  test('a Salesforce Lead without a last name or company gets Salesforce\'s own "[not provided]"', () => {
    expect(salesforceLead({ messageId: 'm3', email: 'x@y.com' }, crmMapping('salesforce'))).toMatchObject({ LastName: NOT_PROVIDED, Company: NOT_PROVIDED });
  });

  test('a Salesforce Account is named by its domain when it has no name', () => {
    expect(salesforceAccount({ messageId: 'c1', domain: 'WWW.Acme.io' }, crmMapping('salesforce'))).toEqual({ Website: 'acme.io', Name: 'acme.io', B2B_Company_Domain__c: 'acme.io' });
  });

  test('a bad mapping is refused naming the field', () => {
    expect(() => crmMapping('hubspot', { person: { shoeSize: 'x' } })).toThrow('mapping.person.shoeSize');
    expect(() => crmMapping('hubspot', { person: { email: '' } })).toThrow('mapping.person.email');
    expect(() => crmMapping('hubspot', { company: { name: 'bad name!' } })).toThrow('mapping.company.name');
    expect(() => crmMapping('salesforce', { externalId: { person: '' } })).toThrow('mapping.externalId.person');
  });
});

describe('the task for the account owner', () => {
  test('HubSpot: subject, body, due now and assigned to the owner', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    expect(hubspotTask({ messageId: 't1', ownerId: '77', subject: 'Buying group ready', body: '4 of 5 roles' }, now)).toMatchObject({
      hs_task_subject: 'Buying group ready', hs_task_body: '4 of 5 roles', hs_timestamp: '2026-01-02T03:04:05.000Z', hubspot_owner_id: '77',
    });
  });

  test('Salesforce: a not-started task, without an owner when none is named', () => {
    const task = salesforceTask({ messageId: 't2', subject: 'Call', body: 'now' });
    expect(task).toEqual({ Subject: 'Call', Description: 'now', Status: 'Not Started', Priority: 'Normal' });
  });
});
