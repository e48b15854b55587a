// A patient's demographics as a form edits them: the fields (name, date of birth, sex, phone, address,
// one emergency contact), the bodies of POST /api/patients and PATCH /api/patients/{id} made from them,
// and the server's field names in people's words.
import type { components } from '../../api/schema'
import { today } from '../../api/client'
import { Field } from './fields'

type S = components['schemas']
export type Patient = S['Patient']
type Sex = NonNullable<S['Patient']['sex']>

export interface Demographics {
  name: string
  dob: string
  sex: Sex | ''
  phone: string
  address: string
  contactName: string
  contactRelation: string
  contactPhone: string
  unidentified: boolean
}

export const emptyDemographics: Demographics = {
  name: '',
  dob: '',
  sex: '',
  phone: '',
  address: '',
  contactName: '',
  contactRelation: '',
  contactPhone: '',
  unidentified: false,
}

export const sexWords: Record<Sex, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Not known' }

/** The server's field names (in its 400s) in words, lower case. */
export const demographicWords: Record<string, string> = {
  name: 'name',
  date_of_birth: 'date of birth',
  sex: 'sex',
  phone: 'phone',
  address: 'address',
  'emergency_contacts.phone': "the emergency contact's phone",
  emergency_contacts: 'emergency contacts',
  'an emergency contact': 'the emergency contact',
}

/** Which form field a server field name belongs to. */
export function fieldOf(serverField: string): keyof Demographics | '' {
  switch (serverField) {
    case 'name':
      return 'name'
    case 'date_of_birth':
      return 'dob'
    case 'sex':
      return 'sex'
    case 'phone':
      return 'phone'
    case 'address':
      return 'address'
    case 'emergency_contacts.phone':
      return 'contactPhone'
    case 'emergency_contacts':
    case 'an emergency contact':
      return 'contactName'
    default:
      return ''
  }
}

export function fromPatient(p: Patient): Demographics {
  const c = p.emergency_contacts?.[0]
  return {
    name: p.name,
    dob: p.date_of_birth ?? '',
    sex: p.sex ?? '',
    phone: p.phone ?? '',
    address: p.address ?? '',
    contactName: c?.name ?? '',
    contactRelation: c?.relation ?? '',
    contactPhone: c?.phone ?? '',
    unidentified: !!p.unidentified,
  }
}

function contacts(d: Demographics): S['EmergencyContact'][] {
  if (!d.contactName.trim() && !d.contactPhone.trim()) return []
  const c: S['EmergencyContact'] = { name: d.contactName.trim(), phone: d.contactPhone.trim() }
  if (d.contactRelation.trim()) c.relation = d.contactRelation.trim()
  return [c]
}

/** The body of POST /api/patients: the fields filled in. */
export function registerBody(d: Demographics): S['RegisterPatientRequest'] {
  const b: S['RegisterPatientRequest'] = { name: d.name.trim() }
  if (d.dob) b.date_of_birth = d.dob
  if (d.sex) b.sex = d.sex
  if (d.phone.trim()) b.phone = d.phone.trim()
  if (d.address.trim()) b.address = d.address.trim()
  const cs = contacts(d)
  if (cs.length) b.emergency_contacts = cs
  if (d.unidentified) b.unidentified = true
  return b
}

/** The body of PATCH /api/patients/{id}: only what changed from before (an emptied field clears it). */
export function patchBody(d: Demographics, before: Demographics): S['PatchPatientRequest'] {
  const b: S['PatchPatientRequest'] = {}
  if (d.name.trim() !== before.name) b.name = d.name.trim()
  if (d.dob !== before.dob) b.date_of_birth = d.dob
  if (d.sex !== before.sex) b.sex = d.sex
  if (d.phone.trim() !== before.phone) b.phone = d.phone.trim()
  if (d.address.trim() !== before.address) b.address = d.address.trim()
  const c = (x: Demographics) => JSON.stringify(contacts(x))
  if (c(d) !== c(before)) b.emergency_contacts = contacts(d)
  if (d.unidentified !== before.unidentified) b.unidentified = d.unidentified
  return b
}

/** The demographic fields, controlled; errors by field. */
export function DemographicFields({
  value,
  onChange,
  errors,
  nameRef,
}: {
  value: Demographics
  onChange: (d: Demographics) => void
  errors: Partial<Record<keyof Demographics, string>>
  nameRef?: React.Ref<HTMLInputElement>
}) {
  const set = <K extends keyof Demographics>(k: K, v: Demographics[K]) => onChange({ ...value, [k]: v })
  return (
    <div className="pts-form-grid">
      <Field label="Full name" error={errors.name} className="pts-wide">
        {(ids) => (
          <input
            ref={nameRef}
            id={ids.id}
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid || undefined}
            value={value.name}
            onChange={(e) => set('name', e.target.value)}
            autoComplete="off"
            required
          />
        )}
      </Field>
      <Field label="Date of birth" error={errors.dob}>
        {(ids) => (
          <input
            id={ids.id}
            type="date"
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid || undefined}
            value={value.dob}
            max={today()}
            onChange={(e) => set('dob', e.target.value)}
          />
        )}
      </Field>
      <Field label="Sex" error={errors.sex}>
        {(ids) => (
          <select
            id={ids.id}
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid || undefined}
            value={value.sex}
            onChange={(e) => set('sex', e.target.value as Demographics['sex'])}
          >
            <option value="">Not given</option>
            {(Object.keys(sexWords) as Sex[]).map((s) => (
              <option key={s} value={s}>
                {sexWords[s]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Phone" error={errors.phone}>
        {(ids) => (
          <input
            id={ids.id}
            type="tel"
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid || undefined}
            value={value.phone}
            onChange={(e) => set('phone', e.target.value)}
            autoComplete="off"
          />
        )}
      </Field>
      <Field label="Address" error={errors.address} className="pts-wide">
        {(ids) => (
          <input
            id={ids.id}
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid || undefined}
            value={value.address}
            onChange={(e) => set('address', e.target.value)}
            autoComplete="off"
          />
        )}
      </Field>
      <fieldset className="pts-contact pts-wide">
        <legend>Emergency contact</legend>
        <Field label="Name" error={errors.contactName}>
          {(ids) => (
            <input
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid || undefined}
              value={value.contactName}
              onChange={(e) => set('contactName', e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Relation">
          {(ids) => (
            <input
              id={ids.id}
              value={value.contactRelation}
              onChange={(e) => set('contactRelation', e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Phone" error={errors.contactPhone}>
          {(ids) => (
            <input
              id={ids.id}
              type="tel"
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid || undefined}
              value={value.contactPhone}
              onChange={(e) => set('contactPhone', e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
      </fieldset>
      <label className="check pts-wide">
        <input type="checkbox" checked={value.unidentified} onChange={(e) => set('unidentified', e.target.checked)} />
        Unidentified emergency patient (identity not known yet)
      </label>
    </div>
  )
}
