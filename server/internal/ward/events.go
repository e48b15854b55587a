package ward

import (
	"context"
	"slices"

	"hms/shared"
)

// publish puts a beds.updated event on the beds channel (the boards of every ward touched) and on each
// touched ward's beds:<ward> channel. Each board is read while that channel's publish lock is held, so
// an event built from an older state can never follow one built from a newer state. Boards carry
// admission ids only: no patient ids, no names. A failure is logged: the change is stored, and clients
// reload the board over REST.
func (s *Service) publish(ctx context.Context, action, admissionID string, wards ...string) {
	ctx = context.WithoutCancel(ctx)
	wards = slices.Compact(wards)
	build := func(ids []string) func(context.Context) (any, error) {
		return func(ctx context.Context) (any, error) {
			ev := shared.BedsEvent{Action: action, AdmissionID: admissionID, Wards: []shared.BedBoard{}}
			for _, id := range ids {
				b, err := s.Board(ctx, id, false)
				if err != nil {
					return nil, err
				}
				ev.Wards = append(ev.Wards, b)
			}
			return ev, nil
		}
	}
	s.emit(ctx, shared.ChannelBeds, build(wards))
	for _, w := range wards {
		s.emit(ctx, shared.ChannelBeds+":"+w, build([]string{w}))
	}
}

func (s *Service) emit(ctx context.Context, channel string, build func(context.Context) (any, error)) {
	if _, err := s.pub.PublishWith(ctx, channel, shared.EventBedsUpdated, build); err != nil {
		s.log.WarnContext(ctx, "publish event", "channel", channel, "err", err)
	}
}
