package billing

import (
	"context"
	"errors"
	"fmt"
)

// A number is claimed by inserting (year, seq) of its series for its document, which the store keeps
// unique both ways: one document per number, one number per document. A number is claimed only one past
// a number known to be claimed, and a claim is never removed, so the claimed numbers of a year are always
// 1, 2, …, last: gapless, and whether a number is claimed tells on which side of the last it lies.
//
// Within one process the claims of a series are made one at a time (numbering.lock): requests of one
// instance never race each other for a number, only instances do. The process remembers the last number
// it claimed or saw claimed and tries the one after it first, without reading anything; a duplicate
// then says either that another instance took the number (find the new last by keyed look-ups and try
// again) or that the document has its number already (done), which the taken number's claim tells apart.

// numbering is one series' numbering in this process.
type numbering struct {
	// lock is held (it holds a value) while a claim of the series is under way.
	lock chan struct{}
	// year and last: last is a number of year known to be claimed (0: none, or not looked for yet, when
	// synced is false).
	year   int
	last   int
	synced bool
}

func newNumbering() map[Series]*numbering {
	m := map[Series]*numbering{}
	for _, s := range []Series{InvoiceSeries, CreditNoteSeries, ReceiptSeries} {
		m[s] = &numbering{lock: make(chan struct{}, 1)}
	}
	return m
}

// claimNext claims the year's next number of a series for its owner (an invoice, a credit note, a
// payment), or returns the one it already has. mayHave false skips looking for the owner's number
// first, for an owner that cannot have one yet (an invoice this request froze, a payment or a credit
// note it inserted). That is only a shortcut: an owner numbered meanwhile (a retry, Recover, another
// instance finishing the same document) is found through the duplicate its claim meets.
func (s *Service) claimNext(ctx context.Context, series Series, owner string, mayHave bool) (NumberClaim, error) {
	if mayHave {
		if c, err := s.store.NumberOf(ctx, series, owner); err == nil {
			return c, nil
		} else if !errors.Is(err, ErrNotFound) {
			return NumberClaim{}, err
		}
	}
	sr := s.numbering[series]
	if sr == nil {
		return NumberClaim{}, fmt.Errorf("billing: no numbering series %q", series)
	}
	select {
	case sr.lock <- struct{}{}:
	case <-ctx.Done():
		return NumberClaim{}, ctx.Err()
	}
	defer func() { <-sr.lock }()

	now := s.clock()
	year := now.In(s.loc).Year()
	if !sr.synced || sr.year != year {
		last, err := s.lastNumber(ctx, series, year, 0)
		if err != nil {
			return NumberClaim{}, err
		}
		sr.year, sr.last, sr.synced = year, last, true
	}
	for attempt := 0; ; attempt++ {
		c := NumberClaim{Year: year, Seq: sr.last + 1, DocumentID: owner, At: now}
		err := s.store.ClaimNumber(ctx, series, c)
		if err == nil {
			sr.last = c.Seq
			return c, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return NumberClaim{}, err
		}
		held, err := s.store.NumberAt(ctx, series, year, c.Seq)
		switch {
		case err == nil && held.DocumentID == owner:
			// The owner's claim of this very number, made meanwhile elsewhere (the same document finished
			// at once by a retried request, Recover or another instance).
			sr.last = c.Seq
			return held, nil
		case err == nil:
			// Another instance took the number: find the last one now.
			if sr.last, err = s.lastNumber(ctx, series, year, c.Seq); err != nil {
				return NumberClaim{}, err
			}
		case errors.Is(err, ErrNotFound):
			// The number is free, so what the claim met is the owner's own number: it has one already.
			if prior, err := s.store.NumberOf(ctx, series, owner); err == nil {
				return prior, nil
			} else if !errors.Is(err, ErrNotFound) {
				return NumberClaim{}, err
			}
		default:
			return NumberClaim{}, err
		}
		if attempt == 1000 {
			return NumberClaim{}, fmt.Errorf("claim a %s number: still contended after %d attempts", series, attempt)
		}
		if err := ctx.Err(); err != nil {
			return NumberClaim{}, err
		}
	}
}

// lastNumber finds the last number of year claimed, knowing from is claimed (0: nothing known). The
// claimed numbers are 1..last, so it probes from+1, from+2, from+4, … by keyed look-ups until one is
// free, then halves the interval between the last claimed and the first free one probed: about
// 2·log₂(last−from) look-ups, one when nothing was claimed since from.
func (s *Service) lastNumber(ctx context.Context, series Series, year, from int) (int, error) {
	claimed := func(seq int) (bool, error) {
		_, err := s.store.NumberAt(ctx, series, year, seq)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	lo, free := from, 0 // lo is claimed; free, once found (> 0), is not
	for step := 1; free == 0; step *= 2 {
		ok, err := claimed(lo + step)
		if err != nil {
			return 0, err
		}
		if ok {
			lo += step
		} else {
			free = lo + step
		}
	}
	for free-lo > 1 {
		mid := lo + (free-lo)/2
		ok, err := claimed(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			free = mid
		}
	}
	return lo, nil
}
