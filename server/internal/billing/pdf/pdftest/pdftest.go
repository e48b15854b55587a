// Package pdftest reads PDFs back as text in tests, with pdftotext (poppler-utils).
package pdftest

import (
	"bytes"
	"os/exec"
	"testing"
)

// Text extracts a PDF's text, keeping its layout. A machine without pdftotext fails the test with the
// command that installs it: the PDFs' content is never left unchecked.
func Text(t testing.TB, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: run `make setup` (it installs poppler-utils), or apt-get install -y poppler-utils")
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errb.String())
	}
	return out.String()
}
