package seal

import (
	"errors"
	"strings"
	"testing"
)

func ring(t testing.TB, ids ...string) *Keyring {
	t.Helper()
	var keys []Key
	for _, id := range ids {
		k := Key{ID: id} // each id has its own fixed secret, whatever the ring
		for j := range k.Secret {
			k.Secret[j] = id[j%len(id)] + byte(j)
		}
		keys = append(keys, k)
	}
	r, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSealOpen(t *testing.T) {
	r := ring(t, "k1")
	v, err := r.Seal("type 2 diabetes; penicillin allergy", "patients/p1/medical_history")
	if err != nil {
		t.Fatal(err)
	}
	if v.Key != "k1" || len(v.Nonce) != 12 || strings.Contains(string(v.Data), "diabetes") {
		t.Fatalf("sealed value %+v leaks or lacks its key id", v)
	}
	if got, err := r.Open(v, "patients/p1/medical_history"); err != nil || got != "type 2 diabetes; penicillin allergy" {
		t.Fatalf("open: %q %v", got, err)
	}
	again, _ := r.Seal("type 2 diabetes; penicillin allergy", "patients/p1/medical_history")
	if string(again.Nonce) == string(v.Nonce) || string(again.Data) == string(v.Data) {
		t.Fatal("two seals of one value are equal: nonces must be fresh")
	}
	// Moved to another record, or changed by one bit: it does not open.
	if _, err := r.Open(v, "patients/p2/medical_history"); !errors.Is(err, ErrTampered) {
		t.Fatalf("opened under another record: %v", err)
	}
	bad := v
	bad.Data = append([]byte(nil), v.Data...)
	bad.Data[0] ^= 1
	if _, err := r.Open(bad, "patients/p1/medical_history"); !errors.Is(err, ErrTampered) {
		t.Fatalf("opened a changed ciphertext: %v", err)
	}
	if _, err := r.Open(Value{Key: "k1", Nonce: []byte{1}, Data: v.Data}, "patients/p1/medical_history"); !errors.Is(err, ErrTampered) {
		t.Fatalf("opened with a short nonce: %v", err)
	}
}

func TestRotation(t *testing.T) {
	old := ring(t, "k1")
	v, _ := old.Seal("asthma", "w")
	rotated := ring(t, "k2", "k1")
	if rotated.Active() != "k2" {
		t.Fatalf("active %q, want k2", rotated.Active())
	}
	if got, err := rotated.Open(v, "w"); err != nil || got != "asthma" {
		t.Fatalf("old value under the rotated ring: %q %v", got, err)
	}
	nv, _ := rotated.Seal("asthma", "w")
	if nv.Key != "k2" {
		t.Fatalf("new value sealed under %q, want k2", nv.Key)
	}
	if _, err := ring(t, "k3").Open(v, "w"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	keys, err := ParseKeys(" k2:" + strings.Repeat("A", 43) + "=, k1:" + strings.Repeat("_", 43))
	if err != nil || len(keys) != 2 || keys[0].ID != "k2" || keys[1].ID != "k1" {
		t.Fatalf("got %v %v", keys, err)
	}
	for _, bad := range []string{"", "k1", "k1:short", "k1:" + strings.Repeat("A", 60)} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := ParseKeys("k1" + strings.Repeat("A", 43)); err == nil || strings.Contains(err.Error(), "AAAA") {
		t.Errorf("error leaks the key: %v", err)
	}
	a, _ := FromSecret("one secret of at least thirty-two characters")
	b, _ := FromSecret("another secret of at least thirty-two chars")
	if a.ID == b.ID || !strings.HasPrefix(a.ID, "sk-") || a.Secret == b.Secret {
		t.Fatalf("derived keys %s and %s must differ", a.ID, b.ID)
	}
	if _, err := NewKeyring(Key{ID: "a:b"}); err == nil {
		t.Error("key id with ':' accepted")
	}
	if _, err := NewKeyring(Key{ID: "a"}, Key{ID: "a"}); err == nil {
		t.Error("duplicate key id accepted")
	}
}

// BenchmarkOpen is the cost of encryption per record read: one medical history of about 2 KB.
func BenchmarkOpen(b *testing.B) {
	r := ring(b, "k1")
	v, _ := r.Seal(strings.Repeat("Hypertension since 2019, on amlodipine 5 mg. ", 45), "patients/p1/medical_history")
	b.SetBytes(int64(len(v.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Open(v, "patients/p1/medical_history"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeal is the cost per record written.
func BenchmarkSeal(b *testing.B) {
	r := ring(b, "k1")
	text := strings.Repeat("Hypertension since 2019, on amlodipine 5 mg. ", 45)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Seal(text, "patients/p1/medical_history"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBlindIndex: equal terms give equal indexes under one key, different keys give different ones,
// and a rotated ring still yields the old key's index for searches.
func TestBlindIndex(t *testing.T) {
	old, rotated := ring(t, "k1"), ring(t, "k2", "k1")
	a, b := old.BlindIndex("asthma"), old.BlindIndex("asthma")
	if a != b || len(a) != 32 {
		t.Fatalf("got %q and %q, want two equal 32-hex indexes", a, b)
	}
	if a == old.BlindIndex("diabetes") || strings.Contains(a, "asthma") {
		t.Fatalf("index %q does not hide or distinguish the term", a)
	}
	if rotated.BlindIndex("asthma") == a {
		t.Fatal("a new active key gave the same index")
	}
	if got := rotated.BlindIndexes("asthma"); len(got) != 2 || got[0] != rotated.BlindIndex("asthma") || got[1] != a {
		t.Fatalf("BlindIndexes = %v, want [active, old %s]", got, a)
	}
}

// BenchmarkBlindIndex is the cost of indexing one word (a record indexes each distinct word of its
// conditions and history on every write of them).
func BenchmarkBlindIndex(b *testing.B) {
	k := ring(b, "k1")
	for b.Loop() {
		_ = k.BlindIndex("hypertension")
	}
}
