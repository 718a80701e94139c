import type { ReactNode } from 'react'
import type { Item } from '../api'
import { Table } from './Table'

/**
 * Items with their prices, as the API keeps them: two decimals (`42.17`, `19.00`); `store`
 * adds a column naming each item's store.
 */
export function ItemTable({ caption, items, store }: { caption: string; items: Item[]; store?: (item: Item) => ReactNode }) {
  return (
    <Table caption={caption} columns={['Item', ...(store ? ['Store'] : []), { label: 'Price', numeric: true }]}>
      {items.map((item) => (
        <tr key={item.id}>
          <td>{item.name}</td>
          {store ? <td>{store(item)}</td> : null}
          <td className="number price">{item.price.toFixed(2)}</td>
        </tr>
      ))}
    </Table>
  )
}
