// Named aliases for the wire types, generated from the server's OpenAPI document
// (assembled from server/internal/openapi/spec → schema.d.ts with `npm run gen:api`; `make test` checks it is current).
import type { components } from './schema'

type S = components['schemas']

export type Role = S['User']['role']
export type User = S['User']
export type UserList = S['UserList']
export type TokenResponse = S['TokenResponse']
export type Alert = S['Alert']
export type Broadcast = S['Broadcast']
export type Department = S['Department']
export type Doctor = S['Doctor']
export type Slot = S['Slot']
export type Appointment = S['Appointment']
export type AppointmentStatus = S['Appointment']['status']
export type AppointmentList = S['AppointmentList']
export type Ticket = S['Ticket']
export type BookRequest = S['BookRequest']
export type CheckInRequest = S['CheckInRequest']
export type EmergencyRequest = S['EmergencyRequest']
export type QueueSnapshot = S['QueueSnapshot']
export type QueueEvent = S['QueueEvent']
export type QueueWaits = S['QueueWaits']
export type TicketWait = S['TicketWait']
export type DisplayBoard = S['DisplayBoard']
export type DisplayTicket = S['DisplayTicket']
export type AppointmentEvent = S['AppointmentEvent']
export type Dashboard = S['Dashboard']
export type Patient = S['Patient']
export type PatientSummary = S['PatientSummary']
export type PatientList = S['PatientList']
export type Ward = S['Ward']
export type BedBoard = S['BedBoard']
export type BedsEvent = S['BedsEvent']
export type AuditList = S['AuditList']
export type AuditOutcome = S['AuditEntry']['outcome']
export type Notification = S['Notification']
export type NotificationKind = S['Notification']['kind']
export type NotificationList = S['NotificationList']
export type NotificationsRead = S['NotificationsRead']
export type NotificationPreferences = S['NotificationPreferences']
export type DeliveryState = S['DeliveryState']
export type DeliveryStatus = S['DeliveryState']['status']
export type DeliveryChannel = S['DeliveryState']['channel']
export type Delivery = S['Delivery']
export type DeliveryList = S['DeliveryList']

/** One live update, as the hub sends it ({op:"event", ...}). */
export interface LiveEvent<T = unknown> {
  channel: string
  seq: number
  type: string
  at: string
  data: T
}
export type Medication = S['Medication']
export type Stock = S['Stock']
export type PrescriptionQueueItem = S['PrescriptionQueueItem']
export type LabQueueItem = S['LabQueueItem']
export type LabOrder = S['LabOrder']
export type LabResult = S['LabResult']
export type LabResultInput = S['LabResultInput']
export type LabFile = S['LabFile']
export type Permission = S['Permission']
export type PermissionInfo = S['PermissionInfo']
export type RoleInfo = S['RoleInfo']
export type HospitalEntry = S['HospitalEntry']
export type HospitalList = S['HospitalList']
export type HospitalImport = S['HospitalImport']
export type NearbyHospital = S['NearbyHospital']
export type NearbyList = S['NearbyList']
