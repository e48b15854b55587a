package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestWorkflows checks the GitHub Actions workflows parse and keep to what docs/deploy.md says: least
// permissions at the top, a timeout on every job, the Go version read from go.work, and the tests run in
// Debian, where make test's packages exist.
func TestWorkflows(t *testing.T) {
	files, err := filepath.Glob("../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var w struct {
			Permissions map[string]string `yaml:"permissions"`
			Jobs        map[string]struct {
				Container string `yaml:"container"`
				Timeout   int    `yaml:"timeout-minutes"`
				Steps     []struct {
					Uses string            `yaml:"uses"`
					Run  string            `yaml:"run"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(b, &w); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(w.Permissions) != 1 || w.Permissions["contents"] != "read" {
			t.Errorf("%s: top-level permissions %v, want contents: read only", f, w.Permissions)
		}
		for name, j := range w.Jobs {
			if j.Timeout <= 0 {
				t.Errorf("%s: job %s has no timeout-minutes", f, name)
			}
			for _, s := range j.Steps {
				if strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["go-version-file"] != "go.work" {
					t.Errorf("%s: job %s sets up Go without go-version-file: go.work", f, name)
				}
				if strings.Contains(s.Run, "make test") && !strings.HasPrefix(j.Container, "debian:") {
					t.Errorf("%s: job %s runs make test outside a Debian container", f, name)
				}
			}
		}
	}
}
