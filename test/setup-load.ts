// Load tests hold a thousand viewers for tens of seconds and restart cameras many times.
jest.setTimeout(180_000);
