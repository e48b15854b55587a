// Package version holds what the build stamped into the binary: `make build` sets the three variables
// with -ldflags -X (git describe --always --dirty, the commit, the UTC build time). A binary built
// without them (go build, go run, tests) says "dev".
package version

var (
	// Version is `git describe --tags --always --dirty` at build time.
	Version = "dev"
	// Commit is the full commit hash built.
	Commit = "dev"
	// Built is the UTC build time, RFC 3339.
	Built = "dev"
)

// Info is the build's version, commit and time, as GET /api/version answers them.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Built   string `json:"built"`
}

// Get returns the stamped version.
func Get() Info { return Info{Version: Version, Commit: Commit, Built: Built} }

// String is one line for `hms version`.
func (i Info) String() string {
	return "hms " + i.Version + " (commit " + i.Commit + ", built " + i.Built + ")"
}
