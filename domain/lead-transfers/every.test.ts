import { everySeconds } from './every';

test('a transfer runs hourly, daily or at any whole-second rhythm the deployment allows', () => {
  expect(everySeconds('PT1H', 60)).toEqual({ seconds: 3600 });
  expect(everySeconds('P1D', 60)).toEqual({ seconds: 86400 });
  expect(everySeconds('PT30S', 60)).toEqual({ error: 'must be at least 60 seconds' });
  expect(everySeconds('PT2S', 1)).toEqual({ seconds: 2 });
  expect(everySeconds('PT1.5S', 1)).toEqual({ error: 'must be whole seconds' });
  expect(everySeconds('hourly', 60)).toEqual({ error: expect.stringMatching(/ISO 8601/) });
});
