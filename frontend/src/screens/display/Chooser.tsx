// The display's first page when no department is given: each department as a large link to its board.
import { Link } from 'wouter'
import { LiveBadge } from '../../components/LiveBadge'
import type { Departments } from '../../api/departments'

export function Chooser({ departments: { items, error, retry } }: { departments: Departments }) {
  return (
    <div className="ds-chooser">
      <header className="ds-header">
        <h1 className="ds-title">Ward display</h1>
        <LiveBadge large />
      </header>
      {!items && !error && <p className="ds-message">Loading departments…</p>}
      {!items && error && (
        <div className="ds-message ds-error" role="alert">
          <p>Could not load the departments: {error} Trying again…</p>
          <button type="button" className="btn" onClick={retry}>
            Try now
          </button>
        </div>
      )}
      {items &&
        (items.length === 0 ? (
          <p className="ds-message">No departments yet. An admin creates them on the Admin screen.</p>
        ) : (
          <nav aria-label="Departments">
            <p className="ds-lead">Choose the department this screen shows:</p>
            <ul className="ds-departments">
              {items.map((d) => (
                <li key={d.id}>
                  <Link href={`/display/${d.id}`} className="ds-department" data-testid={`department-${d.id}`}>
                    {d.name}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ))}
    </div>
  )
}
