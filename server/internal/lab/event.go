package lab

import (
	"context"
	"errors"

	"hms/shared"

	"hms/server/internal/reaction"
)

// The events the lab domain announces (package reaction), each once its change is stored. They carry
// the order's id only; a reaction reads the order through OrderFacts.
type (
	// OrderPlaced: a lab order was placed.
	OrderPlaced struct {
		OrderID string `json:"order_id"`
	}
	// OrderCancelled: a lab order was cancelled before its report was released.
	OrderCancelled struct {
		OrderID string `json:"order_id"`
	}
	// ResultsReleased: a lab order's results were released to the patient.
	ResultsReleased struct {
		OrderID string `json:"order_id"`
	}
)

// EventType implements reaction.Event.
func (ResultsReleased) EventType() string { return "lab.results-released" }

// Key implements reaction.Event: an order is released once.
func (e ResultsReleased) Key() string { return e.OrderID }

// EventType implements reaction.Event.
func (OrderPlaced) EventType() string { return "lab.order-placed" }

// Key implements reaction.Event: an order is placed once.
func (e OrderPlaced) Key() string { return e.OrderID }

// EventType implements reaction.Event.
func (OrderCancelled) EventType() string { return "lab.order-cancelled" }

// Key implements reaction.Event: an order is closed once.
func (e OrderCancelled) Key() string { return e.OrderID }

// Announce gives the lab domain the bus it announces its events on, and gives the bus the check of
// each (whether an event recorded before a crash did happen). Call it while wiring, before serving.
func (s *Service) Announce(b *reaction.Bus) {
	s.bus = b
	reaction.Verify(b, func(ctx context.Context, e OrderPlaced) (bool, error) {
		_, err := s.store.Order(ctx, e.OrderID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	reaction.Verify(b, func(ctx context.Context, e OrderCancelled) (bool, error) {
		c, err := s.closure(ctx, e.OrderID)
		return err == nil && c.Kind == shared.LabCancelled, err
	})
	reaction.Verify(b, func(ctx context.Context, e ResultsReleased) (bool, error) {
		c, err := s.closure(ctx, e.OrderID)
		return err == nil && c.Kind == shared.LabReleased, err
	})
}

// expect announces ev before its change is stored; without a bus it announces nothing.
func (s *Service) expect(ctx context.Context, ev reaction.Event) (*reaction.Pending, error) {
	if s.bus == nil {
		return nil, nil
	}
	return s.bus.Expect(ctx, ev)
}

// settle tells the bus whether the announced change was stored.
func settle(ctx context.Context, p *reaction.Pending, err error) {
	if err != nil {
		p.Drop(ctx)
		return
	}
	p.Happened(ctx)
}

// OrderFacts returns an order as stored and its closure (the zero Closure while it is open), for a
// reaction to its events.
func (s *Service) OrderFacts(ctx context.Context, orderID string) (Order, Closure, error) {
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		return Order{}, Closure{}, err
	}
	c, err := s.closure(ctx, orderID)
	return o, c, err
}
