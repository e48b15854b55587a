package audit

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Problem is one thing Verify found wrong, naming the entry (or the chain) where it shows.
type Problem struct {
	EntryID string `json:"entry_id,omitempty"`
	Chain   string `json:"chain,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
	What    string `json:"problem"`
}

func (p Problem) String() string {
	switch {
	case p.EntryID != "":
		return fmt.Sprintf("entry %s (chain %s, seq %d): %s", p.EntryID, p.Chain, p.Seq, p.What)
	case p.Chain != "":
		return fmt.Sprintf("chain %s: %s", p.Chain, p.What)
	default:
		return p.What
	}
}

// Report is what Verify found: how much it checked and every problem.
type Report struct {
	OK       bool      `json:"ok"`
	Chains   int       `json:"chains"`
	Entries  int       `json:"entries"`
	Anchors  int       `json:"anchors"`
	Legacy   int       `json:"legacy"`
	Problems []Problem `json:"problems"`
	// CheckedAt is when the check ended.
	CheckedAt time.Time `json:"checked_at"`
}

// legacyGrace is how long after the first chain began an entry without a chain (an instance of an
// older version still running during an upgrade) is accepted.
const legacyGrace = time.Hour

// claim is a chain head an anchor recorded.
type claim struct {
	hash, anchor, anchorChain string
	anchorSeq                 int64
}

// Verify walks every chain of the store: each entry's hash must match its fields, each must link to
// the one before it (the first to its chain's registry record), seqs must run 1, 2, 3… without a gap,
// every registered chain must have its entries, and every head an anchor recorded must still be there
// with the same hash (so an entry removed from the end of a chain is noticed). Entries from before
// chaining are counted, not checked. The report lists every problem; OK says there was none.
func Verify(ctx context.Context, store Store) (Report, error) {
	var r Report
	add := func(p Problem) { r.Problems = append(r.Problems, p) }

	chains, err := store.Chains(ctx, time.Time{})
	if err != nil {
		return r, fmt.Errorf("read audit chains: %w", err)
	}
	registry := map[string]Chain{}
	var firstStart time.Time
	for _, c := range chains {
		registry[c.ID] = c
		if firstStart.IsZero() || c.StartedAt.Before(firstStart) {
			firstStart = c.StartedAt
		}
	}
	r.Chains = len(registry)

	anchors, err := store.Anchors(ctx)
	if err != nil {
		return r, fmt.Errorf("read audit anchors: %w", err)
	}
	claims := map[string]map[int64][]claim{}
	for _, a := range anchors {
		heads, ok := ParseHeads(a.Detail)
		if !ok {
			add(Problem{EntryID: a.ID, Chain: a.Chain, Seq: a.Seq, What: "an anchor whose list of heads cannot be read (edited)"})
			continue
		}
		r.Anchors++
		for _, h := range heads {
			if claims[h.Chain] == nil {
				claims[h.Chain] = map[int64][]claim{}
			}
			claims[h.Chain][h.Seq] = append(claims[h.Chain][h.Seq], claim{hash: h.Hash, anchor: a.ID, anchorChain: a.Chain, anchorSeq: a.Seq})
		}
	}

	seen := map[string]bool{}
	var cur string
	var next int64
	var prev string
	// finish checks what the anchors recorded beyond a chain's last entry.
	finish := func(chain string, last int64) {
		var beyond []int64
		for seq := range claims[chain] {
			if seq > last {
				beyond = append(beyond, seq)
			}
		}
		sort.Slice(beyond, func(i, j int) bool { return beyond[i] < beyond[j] })
		for _, seq := range beyond {
			for _, c := range claims[chain][seq] {
				add(Problem{EntryID: c.anchor, Chain: c.anchorChain, Seq: c.anchorSeq,
					What: fmt.Sprintf("this anchor recorded chain %s up to seq %d, but the chain ends at seq %d: entries %d..%d were removed", chain, seq, last, last+1, seq)})
			}
		}
	}
	err = store.EachChained(ctx, func(e Entry) error {
		if e.Chain == "" {
			r.Legacy++
			if !firstStart.IsZero() && e.At.After(firstStart.Add(legacyGrace)) {
				add(Problem{EntryID: e.ID, What: "an entry without a chain, dated after chaining began (inserted, or its chain fields removed)"})
			}
			return nil
		}
		r.Entries++
		if e.Chain != cur {
			if cur != "" {
				finish(cur, next-1)
			}
			cur, next, seen[e.Chain] = e.Chain, 1, true
			reg, ok := registry[e.Chain]
			if !ok {
				// A server that started while the walk went on registered its chain after the registry
				// was read: read it again before calling the record missing.
				if again, err := store.Chains(ctx, time.Time{}); err == nil {
					for _, c := range again {
						if _, known := registry[c.ID]; !known {
							registry[c.ID] = c
							r.Chains++
						}
					}
					reg, ok = registry[e.Chain]
				}
			}
			if !ok {
				add(Problem{Chain: e.Chain, What: "the chain has entries but no registry record (removed)"})
				prev = e.Prev
			} else {
				prev = Genesis(reg)
			}
		}
		switch {
		case e.Seq > next:
			add(Problem{EntryID: e.ID, Chain: e.Chain, Seq: e.Seq, What: fmt.Sprintf("entries %d..%d before this one are missing (removed)", next, e.Seq-1)})
		case e.Seq < next:
			add(Problem{EntryID: e.ID, Chain: e.Chain, Seq: e.Seq, What: fmt.Sprintf("seq %d appears again (inserted)", e.Seq)})
		case e.Prev != prev:
			add(Problem{EntryID: e.ID, Chain: e.Chain, Seq: e.Seq, What: "does not link to the entry before it (an entry was removed, replaced or moved)"})
		}
		if Digest(e) != e.Hash {
			add(Problem{EntryID: e.ID, Chain: e.Chain, Seq: e.Seq, What: "its hash does not match its fields (edited, or moved to another place)"})
		}
		for _, c := range claims[e.Chain][e.Seq] {
			if c.hash != e.Hash {
				add(Problem{EntryID: e.ID, Chain: e.Chain, Seq: e.Seq, What: fmt.Sprintf("anchor %s recorded another hash for this place (the chain was rewritten)", c.anchor)})
			}
		}
		if e.Seq >= next {
			next, prev = e.Seq+1, e.Hash
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("walk the audit chains: %w", err)
	}
	if cur != "" {
		finish(cur, next-1)
	}
	for chain := range claims {
		if !seen[chain] {
			for _, cs := range claims[chain] {
				for _, c := range cs {
					add(Problem{EntryID: c.anchor, Chain: c.anchorChain, Seq: c.anchorSeq,
						What: fmt.Sprintf("this anchor recorded chain %s, which has no entries left (removed)", chain)})
				}
			}
		}
	}
	var ids []string
	for id := range registry {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		add(Problem{Chain: id, What: "the chain is registered but has no entries (removed)"})
	}
	r.OK = len(r.Problems) == 0
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	r.CheckedAt = time.Now().UTC()
	return r, nil
}
