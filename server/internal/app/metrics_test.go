package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v4"

	"hms/server/internal/apptest"
	"hms/shared"
)

const metricsToken = "metrics-test-token-0123456789"

// scrape GETs url with token as a bearer token (none when empty) and parses the answer with
// Prometheus' own text parser; families is nil unless the status is 200.
func scrape(t *testing.T, url, token string) (status int, families map[string]*dto.MetricFamily) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("got Content-Type %q, want text/plain", ct)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err = parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return resp.StatusCode, families
}

// sample returns the value of the family's sample whose labels include want (counter, gauge or
// untyped), and whether there is one.
func sample(families map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := families[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsEndpoint: /metrics parses with Prometheus' text parser, has every family the dashboard
// and alerts need, and its counters move when an emergency alert is fanned out to a subscriber.
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("METRICS_TOKEN", metricsToken))
	h := env.Hospital()
	env.WalkIn(h.Staff.Token, h.Dept, "Walk In", 3)
	env.Post("/api/auth/password/forgot", "", shared.ForgotPasswordRequest{Email: h.Staff.User.Email}).Want(t, http.StatusAccepted)
	if env.EmailedToken(h.Staff.User.Email, shared.KindPasswordLink) == "" {
		t.Fatal("the password link was not emailed")
	}
	env.Get("/api/patient/"+strings.Repeat("ab", 12), h.Staff.Token) // an id in the path: the route template is counted
	env.Get("/no/such/page/at/all", "")

	_, before := scrape(t, env.URL+"/metrics", metricsToken)
	alertRoute := map[string]string{"route": "/api/alerts/emergency", "method": "POST", "status": "201"}
	deliveredBefore, _ := sample(before, "hms_hub_frames_delivered_total", nil)
	raisedBefore, _ := sample(before, "hms_http_requests_total", alertRoute)

	ws := env.MustDialWS(h.Staff.Token, "")
	env.Post("/api/alerts/emergency", h.Staff.Token, shared.RaiseAlertRequest{Message: "Cardiac arrest, bed 4", Location: "Ward 3"}).Want(t, http.StatusCreated)
	ws.NextEvent(shared.ChannelAlerts, 5*time.Second)

	_, after := scrape(t, env.URL+"/metrics", metricsToken)
	if got, _ := sample(after, "hms_hub_frames_delivered_total", nil); got <= deliveredBefore {
		t.Errorf("hms_hub_frames_delivered_total: got %v after the alert, want more than %v", got, deliveredBefore)
	}
	if got, _ := sample(after, "hms_http_requests_total", alertRoute); got != raisedBefore+1 {
		t.Errorf("hms_http_requests_total%v: got %v after the alert, want %v", alertRoute, got, raisedBefore+1)
	}
	if got, ok := sample(after, "hms_http_request_duration_seconds", map[string]string{"route": "/api/alerts/emergency", "method": "POST"}); !ok || got < 1 {
		t.Errorf("hms_http_request_duration_seconds for the alert route: got %v observations, want at least 1", got)
	}
	if got, _ := sample(after, "hms_hub_connections", nil); got < 1 {
		t.Errorf("hms_hub_connections: got %v with a client connected, want at least 1", got)
	}

	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"hms_queue_waiting", map[string]string{"department": h.Dept}, 1},
		{"hms_queue_in_consultation", map[string]string{"department": h.Dept}, 0},
		{"hms_broker_healthy", nil, 1},
		{"hms_notify_deliveries", map[string]string{"channel": shared.ChannelEmail, "status": shared.DeliverySent}, 1},
	} {
		if got, ok := sample(after, tt.name, tt.labels); !ok || got != tt.want {
			t.Errorf("%s%v: got %v (present: %v), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	if got, ok := sample(after, "hms_queue_estimated_wait_seconds", map[string]string{"department": h.Dept}); !ok || got < 0 {
		t.Errorf("hms_queue_estimated_wait_seconds: got %v (present: %v), want a wait", got, ok)
	}
	if got, ok := sample(after, "hms_db_operation_duration_seconds", map[string]string{"op": "find"}); !ok || got < 1 {
		t.Errorf("hms_db_operation_duration_seconds{op=find}: got %v observations, want some", got)
	}

	// Routes are templates: no id, no raw path; what matched no route is "unmatched".
	rawID := regexp.MustCompile(`[0-9a-f]{24}`)
	var routes []string
	for _, m := range after["hms_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" {
				routes = append(routes, l.GetValue())
				if rawID.MatchString(l.GetValue()) || strings.Contains(l.GetValue(), "/no/such") {
					t.Errorf("route label %q is a raw path, want the route template", l.GetValue())
				}
			}
		}
	}
	for _, want := range []string{"/api/patient/:id", "unmatched"} {
		if !slices.Contains(routes, want) {
			t.Errorf("got routes %q, want %q among them", routes, want)
		}
	}

	t.Run("the dashboard and alerts name real metrics", func(t *testing.T) {
		checkMonitoringFiles(t, after)
	})
}

// TestMetricsToken: with METRICS_TOKEN, the main address serves /metrics to that bearer token only.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("METRICS_TOKEN", metricsToken))
	for _, tt := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "not-the-metrics-token-at-all", http.StatusUnauthorized},
		{"the token with more after it", metricsToken + "x", http.StatusUnauthorized},
		{"a prefix of the token", metricsToken[:10], http.StatusUnauthorized},
		{"a user's token", env.NewUser(shared.RoleAdmin).Token, http.StatusUnauthorized},
		{"the token", metricsToken, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := scrape(t, env.URL+"/metrics", tt.token); got != tt.want {
				t.Errorf("got status %d, want %d", got, tt.want)
			}
		})
	}
	if env.App.MetricsAddr() != nil {
		t.Errorf("got a metrics listener at %v without METRICS_ADDR, want none", env.App.MetricsAddr())
	}
}

// TestMetricsNotExposed: with neither METRICS_ADDR nor METRICS_TOKEN there is no /metrics, even for a
// caller sending a bearer token.
func TestMetricsNotExposed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	for _, token := range []string{"", metricsToken} {
		if got, _ := scrape(t, env.URL+"/metrics", token); got != http.StatusNotFound {
			t.Errorf("GET /metrics (token %q): got status %d, want 404", token, got)
		}
	}
	if env.App.MetricsAddr() != nil {
		t.Errorf("got a metrics listener at %v, want none", env.App.MetricsAddr())
	}
}

// TestMetricsOwnAddress: METRICS_ADDR serves /metrics on a port of its own without a token, and not on
// the main address; the listener closes with the app.
func TestMetricsOwnAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("METRICS_ADDR", "127.0.0.1:0"))
	addr := env.App.MetricsAddr()
	if addr == nil {
		t.Fatal("no metrics listener with METRICS_ADDR set")
	}
	status, families := scrape(t, "http://"+addr.String()+"/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics on METRICS_ADDR: got status %d, want 200", status)
	}
	for _, name := range []string{"hms_hub_connections", "hms_broker_healthy", "go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := families[name]; !ok {
			t.Errorf("family %s is missing on METRICS_ADDR", name)
		}
	}
	if got, _ := scrape(t, env.URL+"/metrics", ""); got != http.StatusNotFound {
		t.Errorf("GET /metrics on the main address without METRICS_TOKEN: got status %d, want 404", got)
	}
	env.Restart() // the old App closes; the new one listens on a port of its own
	if resp, err := http.Get("http://" + addr.String() + "/metrics"); err == nil {
		resp.Body.Close()
		t.Errorf("the closed App's metrics address %s still answers", addr)
	}
	if again := env.App.MetricsAddr(); again == nil || again.String() == addr.String() {
		t.Errorf("after a restart: got metrics address %v, want a new one", again)
	}
}

// rules is the shape of a Prometheus rules file.
type rules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

var metricName = regexp.MustCompile(`\b(?:hms|go|process)_[a-z0-9_]+\b`)

// checkMonitoringFiles checks the alert rules' structure (no promtool here) and that every metric the
// rules and the dashboard name is one the server exposes.
func checkMonitoringFiles(t *testing.T, families map[string]*dto.MetricFamily) {
	t.Helper()
	exposed := func(name string) bool {
		if _, ok := families[name]; ok {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if f, ok := families[strings.TrimSuffix(name, suffix)]; ok && strings.HasSuffix(name, suffix) && f.GetType() == dto.MetricType_HISTOGRAM {
				return true
			}
		}
		return false
	}

	raw, err := os.ReadFile("../../monitoring/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var r rules
	if err := yaml.Unmarshal(raw, &r); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	var alerts []string
	for _, g := range r.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("alerts.yml: group %q needs a name and rules", g.Name)
		}
		for _, rule := range g.Rules {
			alerts = append(alerts, rule.Alert)
			if rule.Alert == "" || rule.Expr == "" || rule.Labels["severity"] == "" || rule.Annotations["summary"] == "" {
				t.Errorf("alerts.yml: rule %q needs alert, expr, a severity label and a summary", rule.Alert)
			}
			if rule.For != "" {
				if _, err := model.ParseDuration(rule.For); err != nil {
					t.Errorf("alerts.yml: rule %s: for %q: %v", rule.Alert, rule.For, err)
				}
			}
			for _, name := range metricName.FindAllString(rule.Expr, -1) {
				if !exposed(name) {
					t.Errorf("alerts.yml: rule %s uses %s, which /metrics does not expose", rule.Alert, name)
				}
			}
		}
	}
	for _, want := range []string{"HMSInstanceDown", "HMSBrokerDegraded", "HMSDeadLettersGrowing", "HMSHTTPLatencyHigh"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("alerts.yml: got alerts %q, want %s among them", alerts, want)
		}
	}

	dash, err := os.ReadFile("../../monitoring/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dash, &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if len(d.Panels) == 0 {
		t.Fatal("grafana-dashboard.json has no panels")
	}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			for _, name := range metricName.FindAllString(target.Expr, -1) {
				if !exposed(name) {
					t.Errorf("dashboard panel %q uses %s, which /metrics does not expose", p.Title, name)
				}
			}
		}
	}
}
