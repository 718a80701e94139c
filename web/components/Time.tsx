const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A time from the API (ISO 8601 UTC), shown in the reader's own zone and language. */
export function Time({ value }: { value: string }) {
  return <time dateTime={value}>{FORMAT.format(new Date(value))}</time>
}
