// Command openapi prints the assembled OpenAPI document (the one the server serves at
// /api/openapi.json), or writes it to a file with -o. The web UI's TypeScript types are generated from
// its output: see docs/api-contract.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"hms/server/internal/openapi"
)

func main() {
	out := flag.String("o", "", "write the document to this file (its directory is created) instead of stdout")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: openapi [-o file]\nPrints the assembled OpenAPI document of HMS.")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, openapi.Document()); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}

func write(name string, doc []byte) error {
	if name == "" {
		_, err := os.Stdout.Write(doc)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, doc, 0o644)
}
