/** The UTC moment of these fields, or undefined when they name no real time (2024-02-30, 24:00). */
export function utcDate(year: number, month: number, day: number, hour: number, minute: number, second = 0, ms = 0): Date | undefined {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls 2024-02-30 over into March: such a date is not a date.
  const same =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return same ? date : undefined;
}
