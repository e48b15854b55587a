// Previous / next buttons under a paged table, with where we are.
export function Pager({
  page,
  pages,
  hasNext,
  busy,
  go,
  label,
}: {
  page: number
  /** How many pages in all, when the server says (users do; audit entries do not). */
  pages?: number
  hasNext: boolean
  busy: boolean
  go: (page: number) => void
  label: string
}) {
  return (
    <nav className="row pager" aria-label={label}>
      <button type="button" className="btn btn-small" disabled={busy || page <= 1} onClick={() => go(page - 1)}>
        Previous
      </button>
      <span className="muted">
        Page {page}
        {pages !== undefined && ` of ${pages}`}
      </span>
      <button type="button" className="btn btn-small" disabled={busy || !hasNext} onClick={() => go(page + 1)}>
        Next
      </button>
      {busy && <span className="muted">Loading…</span>}
    </nav>
  )
}
