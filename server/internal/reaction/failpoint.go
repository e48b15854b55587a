//go:build !failpoint

package reaction

// failpoint is a place a test build can stop the process (see failpoint_on.go); in every other build
// it does nothing.
func failpoint(string) {}
