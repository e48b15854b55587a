package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"hms/shared"
)

// memStore is the part of Store that registration and its links use, in memory; the rest panics.
type memStore struct {
	Store
	mu    sync.Mutex
	users map[string]User // by email
	links map[string]Link
}

func newMemStore() *memStore { return &memStore{users: map[string]User{}, links: map[string]Link{}} }

func (m *memStore) UserByEmail(_ context.Context, email string) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.users[email]; ok {
		return u, nil
	}
	return User{}, ErrUserNotFound
}

func (m *memStore) InsertUser(_ context.Context, u User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[u.Email]; ok {
		return ErrEmailTaken
	}
	m.users[u.Email] = u
	return nil
}

func (m *memStore) InsertSession(context.Context, Session) error { return nil }

// RoleByID answers as a store where no role was changed: the built-in roles keep their defaults.
func (m *memStore) RoleByID(context.Context, string) (Role, error) { return Role{}, ErrRoleNotFound }

func (m *memStore) InsertLink(_ context.Context, l Link) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[l.Hash] = l
	return nil
}

func (m *memStore) LinkByHash(_ context.Context, hash string) (Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.links[hash]; ok {
		return l, nil
	}
	return Link{}, ErrLinkNotFound
}

func (m *memStore) TakeLink(_ context.Context, hash, purpose string) (Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[hash]
	if !ok || l.Purpose != purpose {
		return Link{}, ErrLinkNotFound
	}
	delete(m.links, hash)
	return l, nil
}

type noRecords struct{}

func (noRecords) CreateForUser(context.Context, string, string, string, string) error { return nil }

type ownersSeen struct{ ids []string }

func (o *ownersSeen) RegistrationAttempt(_ context.Context, id string) error {
	o.ids = append(o.ids, id)
	return nil
}

type linksSent struct{ confirm []string }

func (l *linksSent) ConfirmRegistration(_ context.Context, email, _, link string, _ time.Time) error {
	l.confirm = append(l.confirm, email+" "+link)
	return nil
}

func (l *linksSent) PasswordLink(context.Context, string, string, time.Time, bool) error { return nil }

// TestSelfRegistrationHashesOnBothPaths checks docs/security.md row 40's equal work: a self-registration
// runs the password hash exactly once whether the email is new (a registration to confirm is stored and
// its link emailed) or already has an account (nothing is stored; the owner is told), so that neither
// answers sooner. An admin's registration of a taken email is refused before any hash.
func TestSelfRegistrationHashesOnBothPaths(t *testing.T) {
	store := newMemStore()
	store.users["taken@test.hms"] = User{ID: "owner-id", Email: "taken@test.hms", Role: shared.RolePatient}
	owners, mailer := &ownersSeen{}, &linksSent{}
	s := NewService(store, noRecords{}, Config{Owners: owners, Mailer: mailer, Tokens: NewTokens("0123456789abcdef0123456789abcdef", "hms", "hms-api", time.Minute, time.Hour, nil)})
	hashes := 0
	s.hash = func(pw string) (string, error) { hashes++; return "hashed:" + pw, nil }

	register := func(by *Principal, email string) error {
		_, err := s.Register(context.Background(), by, shared.RegisterRequest{Name: "Nina", Email: email, Password: "a good passphrase"}, "10.0.0.1", "https://hms.test")
		return err
	}

	if err := register(nil, "new@test.hms"); err != nil {
		t.Fatalf("new email: got %v, want nil", err)
	}
	if hashes != 1 {
		t.Fatalf("new email: the hasher ran %d times, want 1", hashes)
	}
	if len(store.links) != 1 || len(mailer.confirm) != 1 {
		t.Fatalf("new email: got %d links stored and %d emailed, want 1 and 1", len(store.links), len(mailer.confirm))
	}
	for _, l := range store.links {
		if l.Purpose != LinkConfirm || l.PasswordHash != "hashed:a good passphrase" || l.Email != "new@test.hms" || l.Hash == "" {
			t.Errorf("got link %+v, want a confirmation holding the hash", l)
		}
	}

	hashes = 0
	if err := register(nil, "TAKEN@test.hms"); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("taken email: got %v, want ErrEmailTaken (answered as 202 by the handler)", err)
	}
	if hashes != 1 {
		t.Fatalf("taken email: the hasher ran %d times, want 1, as for a new one", hashes)
	}
	if len(store.links) != 1 || len(owners.ids) != 1 || owners.ids[0] != "owner-id" {
		t.Fatalf("taken email: got %d links and owners told %v, want no new link and the owner told", len(store.links), owners.ids)
	}

	hashes = 0
	admin := &Principal{UserID: "admin", Role: shared.RoleAdmin}
	if err := register(admin, "taken@test.hms"); !errors.Is(err, ErrEmailTaken) || hashes != 0 {
		t.Fatalf("admin, taken email: got %v after %d hashes, want ErrEmailTaken before any", err, hashes)
	}
}

// TestConfirmLinkWorksOnce checks that a confirmation link makes the account once; a second use, a
// link of another purpose and a malformed token are ErrBadLink.
func TestConfirmLinkWorksOnce(t *testing.T) {
	store := newMemStore()
	mailer := &linksSent{}
	s := NewService(store, noRecords{}, Config{Mailer: mailer, Tokens: NewTokens("0123456789abcdef0123456789abcdef", "hms", "hms-api", time.Minute, time.Hour, nil)})
	s.hash = func(pw string) (string, error) { return "hashed:" + pw, nil }
	if _, err := s.Register(context.Background(), nil, shared.RegisterRequest{Name: "Nina", Email: "nina@test.hms", Password: "a good passphrase"}, "ip", "https://hms.test/"); err != nil {
		t.Fatal(err)
	}
	const prefix = "nina@test.hms https://hms.test/confirm?token="
	if len(mailer.confirm) != 1 || len(mailer.confirm[0]) != len(prefix)+43 || mailer.confirm[0][:len(prefix)] != prefix {
		t.Fatalf("got emailed %q, want one link %s<43 characters>", mailer.confirm, prefix)
	}
	token := mailer.confirm[0][len(prefix):]
	for hash := range store.links {
		if hash == token || hash != hashToken(token) {
			t.Fatalf("the link is stored under %q, want the SHA-256 of its token, never the token", hash)
		}
	}
	tr, err := s.Confirm(context.Background(), token, "ip")
	if err != nil || tr.User.Email != "nina@test.hms" || tr.User.PatientID == "" || tr.Token == "" {
		t.Fatalf("got %+v, %v; want Nina's patient account signed in", tr, err)
	}
	if _, err := s.Confirm(context.Background(), token, "ip"); !errors.Is(err, ErrBadLink) {
		t.Fatalf("second use: got %v, want ErrBadLink", err)
	}
	for _, bad := range []string{"", "short", token[:42] + "*"} {
		if _, err := s.Confirm(context.Background(), bad, "ip"); !errors.Is(err, ErrBadLink) {
			t.Errorf("token %q: got %v, want ErrBadLink", bad, err)
		}
	}
}
