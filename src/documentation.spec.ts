import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentVariables } from './app.config';

const ROOT = join(__dirname, '..');

const VARIABLES = environmentVariables();

describe('documentation of the environment', () => {
  it('.env.example lists every variable camfeed reads, and nothing else', () => {
    const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const listed = [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]);
    expect([...new Set(listed)].sort()).toEqual([...VARIABLES].sort());
  });

  it('README’s configuration table names every variable', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const missing = VARIABLES.filter(
      (name) => !new RegExp(`^\\|[^|\\n]*\`${name}\``, 'm').test(readme),
    );
    expect(missing).toEqual([]);
  });
});
