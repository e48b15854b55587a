package lab

// This file is the lab desk's work queue (GET /api/lab-orders): the open orders of the patients the
// caller may see, showing only what processing needs.

import (
	"context"
	"slices"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/shared"
)

// actQueue audits a read of the queue: one entry without a patient, and one per patient returned.
const actQueue = "lab.queue"

// maxQueueChecks bounds how many open orders one read checks against the access rule (one check each).
const maxQueueChecks = 2000

// Queue lists the open orders (neither released nor cancelled) whose patient the caller may see under
// the clinical access rule (a patient it does not say yes to is left out, not refused): urgent first,
// then the oldest. status is "ordered" (no results yet), "resulted" (results, not released) or empty
// (both). Audited as one entry for the read and one per patient returned (docs/security.md row 35).
func (s *Service) Queue(ctx context.Context, p auth.Principal, status string, page, limit int) (shared.LabQueue, error) {
	out, patients, err := s.queue(ctx, p, status, page, limit)
	if aerr := s.audit.Record(ctx, p.UserID, p.Role, "", actQueue, err); aerr != nil {
		return shared.LabQueue{}, aerr
	}
	if err != nil {
		return shared.LabQueue{}, err
	}
	for _, id := range patients {
		if aerr := s.audit.Record(ctx, p.UserID, p.Role, id, actQueue, nil); aerr != nil {
			return shared.LabQueue{}, aerr
		}
	}
	return out, nil
}

func (s *Service) queue(ctx context.Context, p auth.Principal, status string, page, limit int) (shared.LabQueue, []string, error) {
	out := shared.LabQueue{Items: []shared.LabQueueItem{}, Page: page, Limit: limit}
	if status != "" && status != shared.LabOrdered && status != shared.LabResulted {
		return out, nil, fault.Invalid(`status must be "ordered" or "resulted"`)
	}
	orders, err := s.store.OpenOrders(ctx)
	if err != nil {
		return out, nil, err
	}
	if len(orders) > maxQueueChecks {
		return out, nil, fault.Invalid("more than %d open lab orders: the queue cannot be listed", maxQueueChecks)
	}
	sees := map[string]bool{}
	kept := orders[:0]
	for _, o := range orders {
		ok, seen := sees[o.PatientID]
		if !seen {
			if ok, err = s.access.Sees(ctx, p, o.PatientID); err != nil {
				return out, nil, err
			}
			sees[o.PatientID] = ok
		}
		if ok {
			kept = append(kept, o)
		}
	}
	views, err := s.views(ctx, kept, false)
	if err != nil {
		return out, nil, err
	}
	var items []shared.LabQueueItem
	var patientOf []string
	for i, v := range views {
		if status != "" && v.Status != status {
			continue
		}
		items = append(items, shared.LabQueueItem{ID: v.ID, Tests: v.Tests, Priority: v.Priority, Status: v.Status,
			OrderedAt: v.OrderedAt, Files: len(v.Files)})
		patientOf = append(patientOf, kept[i].PatientID)
	}
	// Urgent first; the store's order (oldest first) within each priority.
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return rank(items[a].Priority) - rank(items[b].Priority) })
	out.Total = len(items)
	var patients []string
	for n := (page - 1) * limit; n < len(idx) && n < page*limit; n++ {
		it, pid := items[idx[n]], patientOf[idx[n]]
		if it.PatientName, it.MRN, err = s.patients.Identity(ctx, pid); err != nil {
			return out, nil, err
		}
		out.Items = append(out.Items, it)
		if !slices.Contains(patients, pid) {
			patients = append(patients, pid)
		}
	}
	return out, patients, nil
}

func rank(priority string) int {
	if priority == shared.LabUrgent {
		return 0
	}
	return 1
}

// changed tells the lab desk that an order changed (ids only).
func (s *Service) changed(ctx context.Context, orderID string) {
	if _, err := s.events.Publish(context.WithoutCancel(ctx), shared.ChannelLab, shared.EventLabOrder, shared.LabOrderEvent{OrderID: orderID}); err != nil {
		s.log.WarnContext(ctx, "publish lab order change", "order_id", orderID, "err", err)
	}
}
