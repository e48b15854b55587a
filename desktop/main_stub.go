//go:build !desktop

// Command desktop is the HMS desk app (Wails v2): the web UI in a native window, for reception,
// doctors' desks and ward displays. It needs cgo and WebKitGTK, so it is built with build tags; this
// file only stands in for it in plain builds (go vet, go build ./...), saying how to build it.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, `hms-desktop: this binary was built without the desktop tag.
Build the desk app with:  make desktop
  (CGO_ENABLED=1 go build -tags desktop,production,webkit2_41 -trimpath -o bin/hms-desktop ./desktop;
   needs the Debian packages libgtk-3-dev and libwebkit2gtk-4.1-dev: make setup)`)
	os.Exit(2)
}
