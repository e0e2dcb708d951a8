const pad = (value: number, digits: number): string => String(value).padStart(digits, '0');

/** Local wall-clock time as "HH:MM:SS.mmm", as pictures show it. */
export function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  return (
    `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}` +
    `.${pad(date.getMilliseconds(), 3)}`
  );
}
