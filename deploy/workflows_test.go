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

// TestReleaseDeploys checks the release workflow's delivery: the chart is pushed as an OCI artifact after
// the chart check, and the deploy job waits for the image and the chart, runs behind the protected
// "production" environment, only where enabled, one at a time, and rolls back a failed upgrade (--atomic).
func TestReleaseDeploys(t *testing.T) {
	b, err := os.ReadFile("../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		Uses string `yaml:"uses"`
		Run  string `yaml:"run"`
	}
	var w struct {
		Jobs map[string]struct {
			Needs       any               `yaml:"needs"`
			If          string            `yaml:"if"`
			Environment string            `yaml:"environment"`
			Permissions map[string]string `yaml:"permissions"`
			Concurrency struct {
				Group string `yaml:"group"`
			} `yaml:"concurrency"`
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	runs := func(job string) string {
		var all []string
		for _, s := range w.Jobs[job].Steps {
			all = append(all, s.Run)
		}
		return strings.Join(all, "\n")
	}
	chart, deploy := w.Jobs["chart"], w.Jobs["deploy"]
	if r := runs("chart"); !strings.Contains(r, "make chart-check") || !strings.Contains(r, "helm package") ||
		!strings.Contains(r, `helm push "bin/hms-$version.tgz" "oci://ghcr.io/`) {
		t.Errorf("chart job does not check, package and push the chart:\n%s", r)
	}
	if chart.Permissions["packages"] != "write" {
		t.Errorf("chart job permissions %v, want packages: write", chart.Permissions)
	}
	needs, _ := deploy.Needs.([]any)
	if len(needs) != 2 || needs[0] != "image" || needs[1] != "chart" {
		t.Errorf("deploy needs %v, want [image chart]", deploy.Needs)
	}
	if deploy.Environment != "production" || deploy.If != "vars.DEPLOY == 'true'" || deploy.Concurrency.Group == "" {
		t.Errorf("deploy environment %q, if %q, concurrency %q: want production, only where enabled, one at a time",
			deploy.Environment, deploy.If, deploy.Concurrency.Group)
	}
	if deploy.Permissions["packages"] != "read" || len(deploy.Permissions) != 2 {
		t.Errorf("deploy permissions %v, want contents and packages read", deploy.Permissions)
	}
	if r := runs("deploy"); !strings.Contains(r, "helm upgrade --install") || !strings.Contains(r, "--atomic") ||
		!strings.Contains(r, `--set image.tag="$version"`) {
		t.Errorf("deploy does not upgrade atomically to the tag's image:\n%s", r)
	}
}
