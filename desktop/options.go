package main

import (
	"flag"
	"fmt"
	"io"

	"hms/desktop/internal/settings"
)

// version is the app's version, set at build time with -ldflags "-X main.version=...".
var version = "dev"

// parseFlags reads the command line into Options. showVersion is true for --version. Errors (and
// -h) have already been reported to stderr by the flag package.
func parseFlags(args []string, stderr io.Writer) (opts Options, showVersion bool, err error) {
	fs := flag.NewFlagSet("hms-desktop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hms-desktop [flags]\n\nThe HMS desk app: reception, doctor and ward screens of an HMS server.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&opts.ServerURL, "server", "", "HMS server URL for this run, e.g. https://hms.hospital.local (overrides the saved one; not saved)")
	fs.StringVar(&opts.Department, "department", "", "department ID this desk belongs to, e.g. cardiology (overrides the saved one)")
	fs.BoolVar(&opts.Kiosk, "kiosk", false, "start full screen without a frame, showing the ward display")
	fs.StringVar(&opts.ConfigDir, "config-dir", "", "directory of config.json and session.json (default: hms-desktop in the user's config directory)")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return Options{}, false, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hms-desktop: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return Options{}, false, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	opts.Version = version
	if opts.ConfigDir == "" && !showVersion {
		if opts.ConfigDir, err = settings.DefaultDir(); err != nil {
			return Options{}, false, err
		}
	}
	return opts, showVersion, nil
}
