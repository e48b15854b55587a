// A patient record named in an admin's review list (access grants, audit log) without opening it: the
// entries hold the record's id only, so it is shown as a labelled link that finds the record on the
// Patients screen (/patients?q=<id>), where opening it follows the clinical access rule.
import { Link } from 'wouter'

export function PatientLink({ id }: { id: string }) {
  return (
    <Link href={`/patients?q=${encodeURIComponent(id)}`} className="adm-nowrap" title={`Record ${id}`}>
      Patient record
    </Link>
  )
}
