import { originAllowed, parseCorsOrigins } from './cors-origins';

describe(parseCorsOrigins.name, () => {
  it('takes * and lists separated by commas or spaces', () => {
    expect(parseCorsOrigins('*')).toBe('*');
    expect(parseCorsOrigins(' * ')).toBe('*');
    expect(parseCorsOrigins('http://a.local, https://b.example:8443  http://192.168.1.20')).toEqual(
      ['http://a.local', 'https://b.example:8443', 'http://192.168.1.20'],
    );
  });

  it.each([
    'http://a.local/',
    'http://a.local/path',
    'a.local',
    'ftp://a.local',
    'http://a.local,*',
    'http://A.local',
    'http://a.local:80',
  ])('refuses %j, which is not an origin as browsers send it', (value) => {
    expect(parseCorsOrigins(value)).toBeUndefined();
  });
});

describe(originAllowed.name, () => {
  it('matches listed origins exactly, and anything for *', () => {
    expect(originAllowed(['http://a.local'], 'http://a.local')).toBe(true);
    expect(originAllowed(['http://a.local'], 'http://a.local:8080')).toBe(false);
    expect(originAllowed(['http://a.local'], 'null')).toBe(false);
    expect(originAllowed('*', 'http://anything.example')).toBe(true);
  });
});
