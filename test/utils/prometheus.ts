export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface Exposition {
  readonly types: Map<string, string>;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\]|\\\\.)*)"(?:,|$)/y;

/**
 * Parses the Prometheus text exposition format (version 0.0.4) strictly: any line that is not a
 * comment, a HELP/TYPE line or a well-formed sample is an error, as it would be for Prometheus.
 */
export function parsePrometheus(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(
        line,
      );
      if (type) types.set(type[1], type[2]);
      else if (!new RegExp(`^# HELP ${NAME} `).test(line) && !line.startsWith('# ')) {
        throw new Error(`line ${index + 1}: malformed comment ${JSON.stringify(line)}`);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (match === null)
      throw new Error(`line ${index + 1}: malformed sample ${JSON.stringify(line)}`);
    const [, name, labelText = '', valueText] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText);
      if (label === null)
        throw new Error(`line ${index + 1}: malformed labels ${JSON.stringify(labelText)}`);
      labels[label[1]] = label[2];
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const special = /^([+-]?)(nan|inf|infinity)$/i.exec(valueText);
    const value = special
      ? special[2].toLowerCase() === 'nan'
        ? Number.NaN
        : special[1] === '-'
          ? -Infinity
          : Infinity
      : Number(valueText);
    if (Number.isNaN(value) && special === null)
      throw new Error(`line ${index + 1}: bad value ${valueText}`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

export function valueOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return exposition.samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}

/** Scrapes `baseUrl`/metrics and parses it. */
export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parsePrometheus(await response.text());
}
