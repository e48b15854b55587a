package mongostore

import (
	"net/url"
	"strconv"
	"testing"
)

func TestBoundedPool(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/hms?sslmode=disable", "20"},
		{"postgres://postgres@db/hms", "20"},
		{"postgresql://u:p@db/hms?pool_max_conns=7&sslmode=require", "7"},
	} {
		got, n, err := boundedPool(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if strconv.Itoa(n) != tc.want {
			t.Errorf("%s: %d connections, want %s", tc.in, n, tc.want)
		}
		u, _ := url.Parse(got)
		if n := u.Query().Get("pool_max_conns"); n != tc.want {
			t.Errorf("%s: pool_max_conns %q, want %s", tc.in, n, tc.want)
		}
		if u.Host == "" || u.Path == "" {
			t.Errorf("%s: became %s, lost its host or database", tc.in, got)
		}
	}
	for _, bad := range []string{"postgres://%zz", "postgres://db/hms?pool_max_conns=1", "postgres://db/hms?pool_max_conns=lots"} {
		if _, _, err := boundedPool(bad); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
