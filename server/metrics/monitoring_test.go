package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/latch-dev/latch/server/metrics"
)

type queue struct{}

func (queue) Waiting() int { return 0 }
func (queue) Running() int { return 0 }

// exported is every series name Latch can export, histograms with their
// _bucket, _sum and _count series.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New()
	cs := append(metrics.Own(m), metrics.HashQueueGauges(queue{})...)
	cs = append(cs, metrics.DBStats(nil), metrics.OutboxCollector(nil, time.Second, time.Second),
		metrics.PgxPool("outbox", nil))
	names := map[string]bool{}
	fq := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for _, c := range cs {
		ch := make(chan *prometheus.Desc, 32)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			n := fq.FindStringSubmatch(d.String())[1]
			names[n] = true
			if strings.HasSuffix(n, "_seconds") {
				names[n+"_bucket"], names[n+"_sum"], names[n+"_count"] = true, true, true
			}
		}
	}
	return names
}

var seriesRef = regexp.MustCompile(`\b(?:latch|go_sql)_[a-z_]+\b`)

// TestMonitoringFilesNameRealSeries: the alert rules and the dashboard in
// deploy/monitoring parse and use only series Latch exports, the alerts
// the operator relies on are there, and docs/metrics.md documents every
// latch_ series.
func TestMonitoringFilesNameRealSeries(t *testing.T) {
	names := exported(t)
	if len(names) < 20 {
		t.Fatalf("only %d series described", len(names))
	}
	rules, err := os.ReadFile("../../deploy/monitoring/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert, Expr, For string
				Labels           map[string]string
				Annotations      map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(rules, &doc); err != nil {
		t.Fatalf("alerts.yaml: %v", err)
	}
	alerts := map[string]bool{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			if r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q lacks expr, severity or summary", r.Alert)
			}
		}
	}
	for _, want := range []string{"LatchSendBudgetTripped", "LatchOutboxStuck", "LatchHighErrorRate", "LatchTokenReuseSpike"} {
		if !alerts[want] {
			t.Errorf("alerts.yaml has no %s", want)
		}
	}
	dash, err := os.ReadFile("../../deploy/monitoring/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(dash, &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if len(d.Panels) < 10 {
		t.Errorf("dashboard has %d panels", len(d.Panels))
	}
	for file, text := range map[string]string{"alerts.yaml": string(rules), "grafana-dashboard.json": string(dash)} {
		for _, n := range seriesRef.FindAllString(text, -1) {
			if !names[n] {
				t.Errorf("%s uses %s, which Latch does not export", file, n)
			}
		}
	}
	doc2, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	for n := range names {
		if strings.HasPrefix(n, "latch_") && !strings.HasSuffix(n, "_bucket") && !strings.HasSuffix(n, "_sum") && !strings.HasSuffix(n, "_count") &&
			!strings.Contains(string(doc2), "`"+n+"`") {
			t.Errorf("docs/metrics.md does not document %s", n)
		}
	}
}
