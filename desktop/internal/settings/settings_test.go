package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeServerURL(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "http://localhost:8080", want: "http://localhost:8080"},
		{in: "  https://HMS.Hospital.local/ ", want: "https://hms.hospital.local"},
		{in: "http://10.0.0.5", want: "http://10.0.0.5"},
		{in: "http://[::1]:8080", want: "http://[::1]:8080"},
		{in: "", wantErr: "required"},
		{in: "localhost:8080", wantErr: "http:// or https://"},
		{in: "ftp://hms.local", wantErr: "http:// or https://"},
		{in: "hms.local", wantErr: "http:// or https://"},
		{in: "http://", wantErr: "no host"},
		{in: "http://:8080", wantErr: "no host"},
		{in: "http://hms.local/api", wantErr: "must not have a path"},
		{in: "http://hms.local/?x=1", wantErr: "query"},
		{in: "http://hms.local#top", wantErr: "query or fragment"},
		{in: "http://user:pw@hms.local", wantErr: "user name or password"},
		{in: "http://hms local", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeServerURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestValidateDepartment(t *testing.T) {
	for _, d := range []string{"", "cardiology", "ward-3", "a", "er", strings.Repeat("a", 40)} {
		if err := ValidateDepartment(d); err != nil {
			t.Errorf("ValidateDepartment(%q) = %v, want nil", d, err)
		}
	}
	for _, d := range []string{"Cardiology", "-ward", "ward 3", "ward_3", "wärd", strings.Repeat("a", 41)} {
		if err := ValidateDepartment(d); err == nil {
			t.Errorf("ValidateDepartment(%q) = nil, want an error", d)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "hms-desktop")} // not there yet: Save creates it

	if c, ok, err := s.Load(); err != nil || ok || c != (Config{}) {
		t.Fatalf("Load before any save = %+v, %v, %v; want zero, false, nil", c, ok, err)
	}
	saved, err := s.Save(Config{ServerURL: "https://hms.local/", Department: "cardiology"})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{ServerURL: "https://hms.local", Department: "cardiology"}
	if saved != want {
		t.Fatalf("Save returned %+v, want %+v", saved, want)
	}
	got, ok, err := s.Load()
	if err != nil || !ok || got != want {
		t.Fatalf("Load = %+v, %v, %v; want %+v, true, nil", got, ok, err, want)
	}
	assertMode(t, s.Dir, 0o700)
	assertMode(t, filepath.Join(s.Dir, "config.json"), 0o600)
	leftovers, _ := filepath.Glob(filepath.Join(s.Dir, "*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	// An invalid config is refused and leaves the saved one alone.
	for _, bad := range []Config{{ServerURL: "hms.local"}, {ServerURL: "http://hms.local", Department: "Ward 3"}} {
		if _, err := s.Save(bad); err == nil {
			t.Errorf("Save(%+v) = nil, want an error", bad)
		}
	}
	if got, _, _ := s.Load(); got != want {
		t.Errorf("after refused saves Load = %+v, want %+v", got, want)
	}
}

func TestLoadCorrupt(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(s.Dir, "config.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("got %v, want an error naming config.json", err)
	}
}

func TestSessionRoundTrip(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "conf")}
	if tok, err := s.Session(); err != nil || tok != "" {
		t.Fatalf("Session with none saved = %q, %v; want \"\", nil", tok, err)
	}
	if err := s.ClearSession(); err != nil {
		t.Fatalf("ClearSession with none saved: %v", err)
	}
	for _, tok := range []string{"first-refresh-token", "rotated-refresh-token"} {
		if err := s.SaveSession(tok); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Session(); err != nil || got != tok {
			t.Fatalf("Session = %q, %v; want %q", got, err, tok)
		}
	}
	assertMode(t, filepath.Join(s.Dir, "session.json"), 0o600)

	// The file format the smoke test writes by hand.
	b, err := os.ReadFile(filepath.Join(s.Dir, "session.json"))
	if err != nil || !strings.Contains(string(b), `"refresh_token": "rotated-refresh-token"`) {
		t.Errorf("session.json = %s, %v; want refresh_token", b, err)
	}

	if err := s.ClearSession(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(); err != nil || got != "" {
		t.Fatalf("Session after ClearSession = %q, %v; want \"\"", got, err)
	}
	if err := s.SaveSession("again"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(""); err != nil { // saving nothing forgets
		t.Fatal(err)
	}
	if got, _ := s.Session(); got != "" {
		t.Fatalf("Session after SaveSession(\"\") = %q, want \"\"", got)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", filepath.Base(path), got, want)
	}
}
