/** A short, single-line excerpt of SQL for error messages: a dump statement can hold megabytes. */
export function excerpt(sql: string, maxChars = 160): string {
  const head = sql.slice(0, maxChars * 4).replace(/\s+/g, ' ').trim();
  return head.length > maxChars ? `${head.slice(0, maxChars)}…` : head;
}
