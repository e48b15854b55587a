//go:build desktop

// Command desktop is the HMS desk app (Wails v2): the web UI in a native window, for reception,
// doctors' desks and ward displays (--kiosk). The UI is the embedded web build; its API calls are
// forwarded to the HMS server (see internal/proxy), its websocket goes to the server directly.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gen2brain/beeep"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"hms/desktop/internal/proxy"
	"hms/frontend"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "hms-desktop: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	opts, showVersion, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		os.Exit(2) // the flag package has said what is wrong
	}
	if showVersion {
		fmt.Println("hms-desktop", version)
		return nil
	}

	beeep.AppName = "HMS"
	app, err := NewApp(opts, os.Stdout, func(title, body string) error { return beeep.Notify(title, body, "") })
	if err != nil {
		return err
	}

	// wails.Run handles SIGINT and SIGTERM itself (systemd stopping a ward display, the smoke test's
	// cleanup): it closes the window and returns.
	err = wails.Run(&options.App{
		Title:     "HMS",
		Width:     1366,
		Height:    768,
		MinWidth:  1024,
		MinHeight: 700,
		// A ward display fills its screen and has no title bar to drag or close.
		Fullscreen: opts.Kiosk,
		Frameless:  opts.Kiosk,
		AssetServer: &assetserver.Options{
			Assets:  frontend.Dist(),
			Handler: proxy.New(app.serverURL),
		},
		BackgroundColour: &options.RGBA{R: 255, G: 255, B: 255, A: 255},
		OnStartup:        app.startup,
		OnDomReady:       app.domReady,
		Bind:             []any{app},
		Linux:            &linux.Options{ProgramName: "hms-desktop"},
	})
	if err != nil {
		return fmt.Errorf("run window: %w", err)
	}
	return nil
}
