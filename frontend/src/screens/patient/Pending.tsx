// What a portal section shows before its read has answered: "Loading …", or the server's reason it
// failed with a retry button.
import { messageOf } from '../../api/client'
import { LoadError } from '../../components/forms'

interface Read {
  error: unknown
  refetch: () => unknown
}

/** "Loading your prescriptions…" or "Could not load your prescriptions: <reason> [Try again]". */
export function Pending({ read, what }: { read: Read; what: string }) {
  if (!read.error) return <p className="muted">Loading {what}…</p>
  return (
    <LoadError error={messageOf(read.error)} retry={() => void read.refetch()} retryText="Try again">
      Could not load {what}
    </LoadError>
  )
}
