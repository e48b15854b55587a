// Where the patient goes next: a referral to another doctor, chosen by department (POST
// /api/patients/{id}/referrals; the referrals so far listed), or an admission under this doctor to a ward
// and one of its free beds (POST /api/admissions with GET /api/wards and GET /api/wards/{id}/beds), or
// the ward stay the patient has already (GET /api/patients/{id}/admissions).
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { useDepartmentName } from '../../api/departments'
import { $api, keyOf } from '../../api/query'
import { formatDate, formatDateTime } from '../../api/time'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { useLiveQueries } from '../../live/useLiveQuery'

interface Props {
  patientId: string
  appointmentId?: string
  me: string
}

export function ReferAdmitSection({ patientId, appointmentId, me }: Props) {
  return (
    <div className="ch-section ch-two">
      <Refer patientId={patientId} me={me} />
      <Admit patientId={patientId} appointmentId={appointmentId} me={me} />
    </div>
  )
}

function Refer({ patientId, me }: Omit<Props, 'appointmentId'>) {
  const client = useQueryClient()
  const departmentName = useDepartmentName()
  const doctors = $api.useQuery('get', '/api/doctors')
  const referrals = $api.useQuery('get', '/api/patients/{id}/referrals', { params: { path: { id: patientId } } })
  const refer = $api.useMutation('post', '/api/patients/{id}/referrals')
  const [department, setDepartment] = useState('')
  const [doctor, setDoctor] = useState('')
  const [reason, setReason] = useState('')
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')

  const others = (doctors.data?.items ?? []).filter((d) => d.id !== me)
  const departments = [...new Set(others.map((d) => d.department).filter(Boolean))].sort()
  const shown = department ? others.filter((d) => d.department === department) : others
  const doctorName = (id: string) => doctors.data?.items.find((d) => d.id === id)?.name ?? 'a doctor'

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    setSaved('')
    if (!doctor) {
      setError('Choose the doctor to refer to.')
      return
    }
    refer.mutate(
      { params: { path: { id: patientId } }, body: { doctor_id: doctor, reason } },
      {
        onSuccess: (r) => {
          setSaved(`Referred to ${doctorName(r.doctor_id)}.`)
          setReason('')
          setDoctor('')
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/referrals') })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  return (
    <div>
      <h3>Refer</h3>
      <LoadError error={doctors.error ? messageOf(doctors.error) : ''} retry={() => void doctors.refetch()}>
        Could not load the doctors
      </LoadError>
      <form className="ch-form" onSubmit={submit} aria-label="Refer">
        <label>
          Department
          <select
            value={department}
            onChange={(e) => {
              setDepartment(e.target.value)
              setDoctor('')
            }}
          >
            <option value="">Any department</option>
            {departments.map((d) => (
              <option key={d} value={d}>
                {departmentName(d)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Doctor
          <select value={doctor} onChange={(e) => setDoctor(e.target.value)}>
            <option value="">Choose a doctor</option>
            {shown.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.specialty ? `, ${d.specialty}` : ''}
                {!department && d.department ? ` (${departmentName(d.department)})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Why (10 to 500 characters)
          <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <div className="row">
          <SubmitButton busy={refer.isPending} busyText="Referring…">
            Refer
          </SubmitButton>
          <ErrorText error={error} />
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
      {referrals.data && referrals.data.items.length > 0 && (
        <ul className="ch-list" aria-label="Referrals">
          {referrals.data.items.map((r) => (
            <li key={r.id}>
              <span className="ch-when">{formatDate(r.created_at, 'auto')}</span> to {doctorName(r.doctor_id)}:{' '}
              {r.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** The reads an admission changes. */
const admitted = ['/api/patients/{id}/admissions', '/api/admissions', '/api/wards', '/api/wards/{id}/beds'] as const

function Admit({ patientId, appointmentId, me }: Props) {
  const client = useQueryClient()
  const wards = $api.useQuery('get', '/api/wards')
  const stays = $api.useQuery('get', '/api/patients/{id}/admissions', { params: { path: { id: patientId } } })
  const [ward, setWard] = useState('')
  const [bed, setBed] = useState('')
  const [reason, setReason] = useState('')
  const [error, setError] = useState('')
  const beds = $api.useQuery(
    'get',
    '/api/wards/{id}/beds',
    { params: { path: { id: ward } } },
    { enabled: ward !== '' },
  )
  const admit = $api.useMutation('post', '/api/admissions')
  useLiveQueries('beds', ['/api/wards', '/api/wards/{id}/beds'])

  const wardName = (id: string) => wards.data?.items.find((w) => w.id === id)?.name ?? 'a ward'
  const current = stays.data?.items.find((a) => a.status === 'active')
  const free = (beds.data?.beds ?? []).filter((b) => b.state === 'free')

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    if (!ward) {
      setError('Choose a ward.')
      return
    }
    admit.mutate(
      {
        body: {
          patient_id: patientId,
          ward_id: ward,
          bed_id: bed || undefined,
          doctor_id: me,
          source: appointmentId ? 'appointment' : 'planned',
          appointment_id: appointmentId,
          reason,
        },
      },
      {
        onSuccess: () => {
          setWard('')
          setBed('')
          setReason('')
          for (const p of admitted) void client.invalidateQueries({ queryKey: keyOf(p) })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  return (
    <div>
      <h3>Admit to a ward</h3>
      {current ? (
        <p data-testid="current-admission">
          Admitted to {wardName(current.ward_id)}, bed {current.bed_label}, since{' '}
          {formatDateTime(current.admitted_at, 'auto')}
          {current.doctor_id === me ? ', under you.' : '.'}
        </p>
      ) : (
        <form className="ch-form" onSubmit={submit} aria-label="Admit">
          <LoadError error={wards.error ? messageOf(wards.error) : ''} retry={() => void wards.refetch()}>
            Could not load the wards
          </LoadError>
          <label>
            Ward
            <select
              value={ward}
              onChange={(e) => {
                setWard(e.target.value)
                setBed('')
              }}
            >
              <option value="">Choose a ward</option>
              {wards.data?.items.map((w) => (
                <option key={w.id} value={w.id} disabled={w.free === 0}>
                  {w.name}: {w.free === 0 ? 'full' : `${w.free} of ${w.total} beds free`}
                </option>
              ))}
            </select>
          </label>
          <label>
            Bed
            <select value={bed} disabled={!ward} onChange={(e) => setBed(e.target.value)}>
              <option value="">{ward ? 'First free bed' : 'Choose a ward first'}</option>
              {free.map((b) => (
                <option key={b.id} value={b.id}>
                  Bed {b.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Why admit
            <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="row">
            <SubmitButton busy={admit.isPending} busyText="Admitting…">
              Admit under me
            </SubmitButton>
            <ErrorText error={error} />
          </div>
        </form>
      )}
    </div>
  )
}
