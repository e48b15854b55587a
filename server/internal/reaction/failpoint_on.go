//go:build failpoint

package reaction

import (
	"fmt"
	"os"
)

// failpoint ends the process at once, as a crash would (no deferred function runs), when
// HMS_FAILPOINT names this place. Only binaries built with -tags failpoint have it: the crash tests
// build one to stop a server between a change and its reactions.
func failpoint(name string) {
	if os.Getenv("HMS_FAILPOINT") == name {
		fmt.Fprintln(os.Stderr, "failpoint", name, "reached: exiting")
		os.Exit(86)
	}
}
