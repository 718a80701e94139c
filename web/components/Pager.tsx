/** Previous and next pages of a paginated list (`limit`, `offset`, `total`). */
export function Pager({ total, limit, offset, onPage }: { total: number; limit: number; offset: number; onPage(offset: number): void }) {
  if (total <= limit) return null
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="secondary" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span>
        {offset + 1}–{Math.min(offset + limit, total)} of {total}
      </span>
      <button type="button" className="secondary" disabled={offset + limit >= total} onClick={() => onPage(offset + limit)}>
        Next
      </button>
    </nav>
  )
}
