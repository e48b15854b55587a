package patient

import (
	"context"
	"errors"
	"strings"
	"time"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
)

// mergeMarker heads the part of a merged record's history that came from source; finding it in the
// target's history makes completing an interrupted merge append it only once.
func mergeMarker(source Record) string {
	return "--- merged from record " + source.MRN + " (" + source.ID + ") ---"
}

// Merge merges record source (an unidentified emergency record, or a duplicate) into into, audited on
// both ids: into gets a new medical-history revision with source's history appended and the union of
// both allergies and conditions; source is marked merged into into and takes no more writes. The
// merge is claimed first (an insert, unique per source), so of two merges of one record only one wins.
func (s *Service) Merge(ctx context.Context, p auth.Principal, source, into string) (Record, error) {
	r, err := s.merge(ctx, p, source, into)
	for _, id := range []string{source, into} {
		if aerr := s.audit.Record(ctx, p.UserID, p.Role, AuditID(id), "patient.merge", err); aerr != nil && err == nil {
			return Record{}, aerr
		}
	}
	return r, err
}

func (s *Service) merge(ctx context.Context, p auth.Principal, source, into string) (Record, error) {
	if !ident.Valid(source) {
		return Record{}, fault.Invalid("malformed patient id: want 24 hex digits")
	}
	if !ident.Valid(into) {
		return Record{}, fault.Invalid("into must be a patient id (24 hex digits)")
	}
	if source == into {
		return Record{}, fault.Invalid("a record cannot be merged into itself")
	}
	for _, id := range []string{source, into} {
		if err := s.clinical(ctx, p, id); err != nil {
			return Record{}, err
		}
	}
	src, err := s.store.PatientByID(ctx, source)
	if err != nil {
		return Record{}, err
	}
	dst, err := s.store.PatientByID(ctx, into)
	if err != nil {
		return Record{}, err
	}
	switch {
	case src.MergedInto != "":
		return Record{}, mergedErr(src.MergedInto)
	case dst.MergedInto != "":
		return Record{}, fault.New(fault.ErrConflict, "the target record was merged into %s; merge into that one", dst.MergedInto)
	case src.UserID != "":
		return Record{}, fault.New(fault.ErrConflict, "this record belongs to a patient account; merge the other record into it")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	prev, err := s.store.ClaimMerge(ctx, Merge{Source: source, Into: into, ByID: p.UserID, At: now})
	if errors.Is(err, ErrMergeTaken) {
		// Another merge of this record won, or is running; one left unfinished (a crash) for more
		// than a minute is completed by a repeat of the same merge.
		if prev.Into != into || now.Sub(prev.At) < time.Minute {
			return Record{}, fault.New(fault.ErrConflict, "the record is being merged into %s", prev.Into)
		}
	} else if err != nil {
		return Record{}, err
	}
	// A merge the other way round (into → source) claimed at the same time: both give up.
	if other, err := s.store.MergeOf(ctx, into); err == nil && other.Into == source {
		_ = s.store.DeleteMerge(context.WithoutCancel(ctx), source)
		return Record{}, fault.New(fault.ErrConflict, "the target record is being merged into this one")
	}
	r, err := s.revise(ctx, p, into, func(cur Record) (string, bool) {
		if src.MedicalHistory == "" || strings.Contains(cur.MedicalHistory, mergeMarker(src)) {
			return "", false
		}
		text := mergeMarker(src) + "\n" + src.MedicalHistory
		if cur.MedicalHistory != "" {
			text = cur.MedicalHistory + "\n\n" + text
		}
		return text, true
	})
	if err != nil {
		return Record{}, err
	}
	c := Changes{}
	if u := union(r.Allergies, src.Allergies); len(u) != len(r.Allergies) {
		c.Allergies = &u
	}
	if u := union(r.Conditions, src.Conditions); len(u) != len(r.Conditions) {
		c.Conditions = &u
	}
	if c.Clinical() {
		if err := s.store.UpdateFields(ctx, into, c, now); err != nil {
			return Record{}, err
		}
		r = c.apply(r)
	}
	if err := s.store.SetMergedInto(ctx, source, into, now); err != nil {
		return Record{}, err
	}
	return r, nil
}

// union is a followed by the entries of b not in a (compared folded).
func union(a, b []string) []string {
	out := append([]string{}, a...)
	seen := map[string]bool{}
	for _, x := range a {
		seen[FoldedName(x)] = true
	}
	for _, x := range b {
		if k := FoldedName(x); !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}
