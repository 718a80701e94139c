import type { ReactNode } from 'react'

/** A column heading; `hidden` ones are read out but not shown (a column of buttons). */
export type Column = string | { label: string; numeric?: boolean; hidden?: boolean }

/** A captioned table with its column headings; the rows are the children. */
export function Table({ caption, columns, children }: { caption: string; columns: Column[]; children: ReactNode }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => {
            const { label, numeric, hidden } = typeof column === 'string' ? { label: column } : column
            return (
              <th key={label} scope="col" className={numeric ? 'number' : undefined}>
                {hidden ? <span className="visually-hidden">{label}</span> : label}
              </th>
            )
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  )
}
