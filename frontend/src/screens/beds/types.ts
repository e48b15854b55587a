// The wire shapes the bed board uses, by name.
import type { components } from '../../api/schema'

type S = components['schemas']
export type Ward = S['Ward']
export type Bed = S['Bed']
export type BedBoard = S['BedBoard']
export type Admission = S['Admission']
export type Disposition = S['DischargeRequest']['disposition']
export type Vitals = S['Vitals']
export type Encounter = S['Encounter']
