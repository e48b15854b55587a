package mongostore

import (
	"net/url"
	"testing"
)

func TestBoundedPool(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/hms?sslmode=disable", "20"},
		{"postgres://postgres@db/hms", "20"},
		{"postgresql://u:p@db/hms?pool_max_conns=7&sslmode=require", "7"},
	} {
		got, err := boundedPool(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		u, _ := url.Parse(got)
		if n := u.Query().Get("pool_max_conns"); n != tc.want {
			t.Errorf("%s: pool_max_conns %q, want %s", tc.in, n, tc.want)
		}
		if u.Host == "" || u.Path == "" {
			t.Errorf("%s: became %s, lost its host or database", tc.in, got)
		}
	}
	if _, err := boundedPool("postgres://%zz"); err == nil {
		t.Error("a malformed URL was accepted")
	}
}
