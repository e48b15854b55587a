// Command desktop will be the Wails desktop app for ward and reception desks. Until the desktop work
// lands it only says so, so that the workspace builds as a whole.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "hms desktop: not built yet; use the web UI served by `make run`")
	os.Exit(2)
}
