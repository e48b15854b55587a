// The chart's shapes (from the server's schema) and its clinical wording: the vitals' normal adult
// ranges shown next to each field, and the words for the states of orders, prescriptions and results.
import type { components } from '../../api/schema'

type S = components['schemas']
export type Encounter = S['Encounter']
export type EncounterRevision = S['EncounterRevision']
export type Diagnosis = S['Diagnosis']
export type Vitals = S['Vitals']
export type VitalsReading = S['VitalsReading']
export type Procedure = S['Procedure']
export type Prescription = S['Prescription']
export type Medication = S['Medication']
export type LabOrder = S['LabOrder']
export type LabTest = S['LabTest']
export type LabResult = S['LabResult']
export type LabFile = S['LabFile']
export type Admission = S['Admission']
export type Bed = S['Bed']

export type VitalKey = keyof Vitals

/** One measurement: its label, unit, and the normal adult range (a hint, not a rule). */
export interface VitalField {
  key: VitalKey
  label: string
  unit: string
  normal?: [number, number]
}

/** The measurements the server records (schema Vitals), in the order they are taken. */
export const vitalFields: VitalField[] = [
  { key: 'pulse_bpm', label: 'Pulse', unit: 'bpm', normal: [60, 100] },
  { key: 'systolic_mmhg', label: 'Systolic BP', unit: 'mmHg', normal: [90, 139] },
  { key: 'diastolic_mmhg', label: 'Diastolic BP', unit: 'mmHg', normal: [60, 89] },
  { key: 'temperature_c', label: 'Temperature', unit: '°C', normal: [36.1, 37.8] },
  { key: 'spo2_percent', label: 'SpO₂', unit: '%', normal: [95, 100] },
  { key: 'respiratory_rate', label: 'Respiratory rate', unit: '/min', normal: [12, 20] },
  { key: 'weight_kg', label: 'Weight', unit: 'kg' },
  { key: 'height_cm', label: 'Height', unit: 'cm' },
]

/** "below normal", "above normal" or '' for a value against its field's normal range. */
export function outOfRange(f: VitalField, v: number | undefined): '' | 'below normal' | 'above normal' {
  if (v === undefined || !f.normal || Number.isNaN(v)) return ''
  if (v < f.normal[0]) return 'below normal'
  if (v > f.normal[1]) return 'above normal'
  return ''
}

export const labStatusWords: Record<LabOrder['status'], { text: string; tone: string }> = {
  ordered: { text: 'Ordered', tone: '' },
  resulted: { text: 'Results in, not released', tone: 'tag-warn' },
  released: { text: 'Released to the patient', tone: 'tag-ok' },
  cancelled: { text: 'Cancelled', tone: 'ch-off' },
}

export const flagWords: Record<NonNullable<LabResult['flag']>, { text: string; tone: string }> = {
  LL: { text: 'critically low', tone: 'tag-urgent' },
  L: { text: 'low', tone: 'tag-warn' },
  N: { text: 'normal', tone: 'tag-ok' },
  H: { text: 'high', tone: 'tag-warn' },
  HH: { text: 'critically high', tone: 'tag-urgent' },
}

/** Tests a doctor orders often, to pick from; any other can be typed. */
export const commonTests: LabTest[] = [
  { code: 'CBC', name: 'Full blood count' },
  { code: 'BMP', name: 'Basic metabolic panel' },
  { code: 'HBA1C', name: 'Glycated haemoglobin' },
  { code: 'LIPID', name: 'Lipid panel' },
  { code: 'TSH', name: 'Thyroid-stimulating hormone' },
  { code: 'CRP', name: 'C-reactive protein' },
  { code: 'TROP', name: 'Troponin' },
  { code: 'UA', name: 'Urinalysis' },
]

/** A number typed in a field, or undefined when it is empty or not a number. */
export function numberOf(s: string): number | undefined {
  if (s.trim() === '') return undefined
  const n = Number(s)
  return Number.isFinite(n) ? n : undefined
}
