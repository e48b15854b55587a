// Package deploy holds the checks of the deployment files at the repository's root: docker-compose.yml
// and deploy/nginx/. They are loaded as `docker compose config` loads them (compose-go, the library
// Docker Compose itself uses), so that a file Compose would refuse fails here, on a machine without
// Docker, and what the stack promises (docs/deploy.md) is checked line by line.
package deploy

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// env is what an operator exports before `docker compose up` (the file refuses to start without the
// secrets).
var env = map[string]string{"JWT_SECRET": "j", "SECRET_KEY": "s", "ADMIN_PASSWORD": "p", "HMS_HOSTNAME": "hms.ward.example"}

func load(t *testing.T, vars map[string]string) *types.Project {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	details := types.ConfigDetails{WorkingDir: root, ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}},
		Environment: vars}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) { o.SetProjectName("hms", true) })
	if err != nil {
		t.Fatalf("docker-compose.yml does not load as Compose would: %v", err)
	}
	return p
}

func TestComposeRefusesToStartWithoutSecrets(t *testing.T) {
	for _, missing := range []string{"JWT_SECRET", "SECRET_KEY", "ADMIN_PASSWORD"} {
		vars := map[string]string{}
		for k, v := range env {
			if k != missing {
				vars[k] = v
			}
		}
		root, _ := filepath.Abs("..")
		_, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{WorkingDir: root,
			ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}}, Environment: vars},
			func(o *loader.Options) { o.SetProjectName("hms", true) })
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("without %s: got %v, want a refusal naming it", missing, err)
		}
	}
}

func TestComposeStack(t *testing.T) {
	p := load(t, env)
	servers := []string{"server1", "server2", "server3"}
	for _, name := range append(slices.Clone(servers), "mongo", "redis", "lb") {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatalf("no service %s: %v", name, err)
		}
		if s.Restart != "unless-stopped" {
			t.Errorf("%s: restart %q, want unless-stopped", name, s.Restart)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s has no healthcheck", name)
		}
	}
	lb, _ := p.GetService("lb")
	lbIP := lb.Networks["hms"].Ipv4Address
	if lbIP == "" {
		t.Fatal("the load balancer has no fixed address, so TRUSTED_PROXIES cannot name it alone")
	}
	for _, name := range servers {
		s, _ := p.GetService(name)
		e := func(k string) string {
			if v := s.Environment[k]; v != nil {
				return *v
			}
			return ""
		}
		if got := e("TRUSTED_PROXIES"); got != lbIP {
			t.Errorf("%s: TRUSTED_PROXIES %q, want only the load balancer %s", name, got, lbIP)
		}
		if hosts := strings.Split(e("ALLOWED_HOSTS"), ","); !slices.Contains(hosts, "hms.ward.example") {
			t.Errorf("%s: ALLOWED_HOSTS %q does not follow HMS_HOSTNAME", name, e("ALLOWED_HOSTS"))
		}
		if !strings.HasPrefix(e("PUBLIC_URL"), "https://hms.ward.example") {
			t.Errorf("%s: PUBLIC_URL %q, want https on HMS_HOSTNAME", name, e("PUBLIC_URL"))
		}
		shutdown, err := time.ParseDuration(e("SHUTDOWN_TIMEOUT"))
		if err != nil {
			t.Fatalf("%s: SHUTDOWN_TIMEOUT %q: %v", name, e("SHUTDOWN_TIMEOUT"), err)
		}
		if s.StopGracePeriod == nil || time.Duration(*s.StopGracePeriod) <= shutdown {
			t.Errorf("%s: stop_grace_period %v, want longer than SHUTDOWN_TIMEOUT %v", name, s.StopGracePeriod, shutdown)
		}
		if got := strings.Join(s.HealthCheck.Test, " "); got != "CMD /hms healthcheck" {
			t.Errorf("%s: healthcheck %q, want the image's hms healthcheck", name, got)
		}
		if !strings.Contains(e("DATABASE_URL"), "maxPoolSize=") {
			t.Errorf("%s: DATABASE_URL %q does not bound its pool", name, e("DATABASE_URL"))
		}
	}
	var published []string
	for _, port := range lb.Ports {
		published = append(published, port.Published+"->"+strconv.Itoa(int(port.Target)))
	}
	if !slices.Equal(published, []string{"8080->8080", "8443->8443"}) {
		t.Errorf("lb publishes %v, want 8080 (redirect) and 8443 (TLS)", published)
	}
}

// TestNginxConfig checks the load balancer's configuration for the findings it once had: a body limit
// below the lab's uploads, a forced Host, "Connection: upgrade" on every request, no TLS, and an
// upstream list that does not match the stack's instances.
func TestNginxConfig(t *testing.T) {
	b, err := os.ReadFile("nginx/hms.conf.template")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	m := regexp.MustCompile(`client_max_body_size (\d+)m;`).FindStringSubmatch(conf)
	if m == nil {
		t.Fatal("no client_max_body_size in megabytes")
	}
	const labUpload = 10<<20 + 64<<10 // lab.UploadBodyBytes: a 10 MiB file and its form
	if mb, _ := strconv.Atoi(m[1]); mb<<20 < labUpload {
		t.Errorf("client_max_body_size %sm is below a lab upload (%d bytes)", m[1], labUpload)
	}
	for _, want := range []string{"proxy_set_header Host $host;", "proxy_set_header Connection $connection_upgrade;",
		"listen 8443 ssl;", "ssl_certificate ", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
		"server server1:8080", "server server2:8080", "server server3:8080", "keepalive ",
		"proxy_next_upstream error timeout http_503;", "keepalive_timeout 2s;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("the nginx configuration lacks %q", want)
		}
	}
	for _, bad := range []string{"Host localhost", `Connection "upgrade"`} {
		if strings.Contains(conf, bad) {
			t.Errorf("the nginx configuration still has %q", bad)
		}
	}
}
