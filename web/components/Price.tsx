/** A price as the API keeps it: two decimals, `42.17`, `19.00`. */
export function Price({ value }: { value: number }) {
  return <span className="price">{value.toFixed(2)}</span>
}
