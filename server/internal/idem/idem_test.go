package idem

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// memory is a Store in a map, for the protocol's own tests (mongostore has the real one).
type memory struct {
	mu   sync.Mutex
	keys map[string]Key
}

func (m *memory) ClaimKey(_ context.Context, k Key) (Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.keys[k.ID]; ok {
		return prev, ErrClaimed
	}
	m.keys[k.ID] = k
	return k, nil
}

func (m *memory) CompleteKey(_ context.Context, id, resultID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.keys[id]
	k.ResultID = resultID
	m.keys[id] = k
	return nil
}

func (m *memory) ReleaseKey(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, id)
	return nil
}

func TestClaim(t *testing.T) {
	boom := errors.New("boom")
	at := time.Date(2025, 3, 3, 7, 30, 0, 0, time.UTC)
	key := func(body string) Key {
		return Key{ID: Scope("u1", "k1"), Fingerprint: Fingerprint([]byte(body)), At: at}
	}
	tests := []struct {
		name         string
		before       []Key // claimed before the request
		k            Key
		result       string
		err          error
		wantID       string
		wantReplayed bool
		wantErr      error
		wantRan      bool
		wantStored   string // the stored result id afterwards, "-" when no key is left
	}{
		{"first", nil, key("a"), "r1", nil, "r1", false, nil, true, "r1"},
		{"repeat", []Key{{ID: Scope("u1", "k1"), Fingerprint: Fingerprint([]byte("a")), ResultID: "r1"}}, key("a"), "r2", nil, "r1", true, nil, false, "r1"},
		{"another body", []Key{{ID: Scope("u1", "k1"), Fingerprint: Fingerprint([]byte("a")), ResultID: "r1"}}, key("b"), "r2", nil, "", false, ErrMismatch, false, "r1"},
		{"in progress", []Key{{ID: Scope("u1", "k1"), Fingerprint: Fingerprint([]byte("a"))}}, key("a"), "r2", nil, "", false, ErrInProgress, false, ""},
		{"failed request frees the key", nil, key("a"), "", boom, "", false, boom, true, "-"},
		{"result id known in advance", nil, Key{ID: Scope("u1", "k1"), Fingerprint: Fingerprint([]byte("a")), ResultID: "r1"}, "r1", nil, "r1", false, nil, true, "r1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &memory{keys: map[string]Key{}}
			for _, k := range tt.before {
				s.keys[k.ID] = k
			}
			ran := false
			id, replayed, err := Claim(context.Background(), s, nil, tt.k, func() (string, error) {
				ran = true
				return tt.result, tt.err
			})
			if id != tt.wantID || replayed != tt.wantReplayed || !errors.Is(err, tt.wantErr) {
				t.Errorf("got %q, %v, %v; want %q, %v, %v", id, replayed, err, tt.wantID, tt.wantReplayed, tt.wantErr)
			}
			if ran != tt.wantRan {
				t.Errorf("got ran %v, want %v", ran, tt.wantRan)
			}
			stored, ok := s.keys[tt.k.ID]
			got := "-"
			if ok {
				got = stored.ResultID
			}
			if got != tt.wantStored {
				t.Errorf("got stored result %q, want %q", got, tt.wantStored)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		key  string
		want error
	}{
		{"", nil},
		{"k", nil},
		{strings.Repeat("k", 100), nil},
		{strings.Repeat("k", 101), ErrInvalid},
		{"with space", ErrInvalid},
		{"tab\t", ErrInvalid},
		{"é", ErrInvalid},
	}
	for _, tt := range tests {
		if got := Check(tt.key); !errors.Is(got, tt.want) {
			t.Errorf("Check(%q): got %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	if a, b := Scope("u1", "k"), Scope("u2", "k"); a == b {
		t.Errorf("got the same id %q for two callers, want different ones", a)
	}
}
