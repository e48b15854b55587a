// A doctor's specialty and department (PUT /api/doctors/{id}): what patients and reception search by,
// and the department whose queue the doctor serves. The first save creates the doctor's profile.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import type { Department } from '../../api/types'
import { $api, keyOf } from '../../api/query'
import { ErrorText, SubmitButton } from '../../components/forms'

export function DoctorProfile({
  id,
  specialty: was,
  department: wasDept,
  departments,
}: {
  id: string
  specialty: string
  department: string
  departments: Department[]
}) {
  const client = useQueryClient()
  const save = $api.useMutation('put', '/api/doctors/{id}')
  const [specialty, setSpecialty] = useState(was)
  const [department, setDepartment] = useState(wasDept)
  const [error, setError] = useState('')
  const [done, setDone] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setDone('')
    try {
      await save.mutateAsync({ params: { path: { id } }, body: { specialty: specialty.trim(), department } })
      await client.invalidateQueries({ queryKey: keyOf('/api/doctors') })
      setDone('Profile saved.')
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="adm-profile-h" noValidate>
      <h3 id="adm-profile-h">Profile</h3>
      <div className="adm-fields">
        <label>
          Specialty
          <input value={specialty} onChange={(e) => setSpecialty(e.target.value)} required placeholder="Cardiology" />
        </label>
        <label>
          Department
          <select value={department} onChange={(e) => setDepartment(e.target.value)} required>
            {!department && <option value="">Choose a department…</option>}
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {departments.length === 0 && <p className="muted adm-hint">No departments yet: add one in the Departments tab first.</p>}
      <div className="row">
        <SubmitButton busy={save.isPending} busyText="Saving…">
          Save profile
        </SubmitButton>
        {done && (
          <span className="ok-text" role="status">
            {done}
          </span>
        )}
        <ErrorText error={error} />
      </div>
    </form>
  )
}
