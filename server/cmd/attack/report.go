package main

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/latch-dev/latch/server/guard"
)

// outcome is what became of one attempt.
type outcome int

const (
	checked outcome = iota // the secret was checked (a wrong guess), or the message sent
	refused                // the guard refused it before any check or send
	other                  // anything else (a malformed answer, a busy server, an error)
)

// tally counts the outcomes of one scenario's attempts over time.
type tally struct {
	mu       sync.Mutex
	began    time.Time
	ended    time.Duration
	n        [3]int
	statuses map[int]int
	errors   int
	starts   []time.Duration // when each checked attempt was sent, from began
	lat      [3][]time.Duration
}

func newTally() *tally { return &tally{began: time.Now(), statuses: map[int]int{}} }

// add counts one attempt answered with status in took.
func (t *tally) add(o outcome, status int, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n[o]++
	t.statuses[status]++
	t.lat[o] = append(t.lat[o], took)
	if o == checked {
		t.starts = append(t.starts, time.Since(t.began)-took)
	}
}

// fail counts an attempt that got no answer at all.
func (t *tally) fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errors++
	t.n[other]++
}

// stop marks the end of the scenario.
func (t *tally) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = time.Since(t.began)
}

func (t *tally) total() int { return t.n[checked] + t.n[refused] + t.n[other] }

// counts says how many attempts there were and how each was answered.
func (t *tally) counts(what [3]string) string {
	s := fmt.Sprintf("%d %s, %d %s", t.n[checked], what[checked], t.n[refused], what[refused])
	if t.n[other] > 0 {
		s += fmt.Sprintf(", %d %s", t.n[other], what[other])
	}
	return s + fmt.Sprintf(" of %d in %s (%s)", t.total(), secs(t.ended), t.statusList())
}

func (t *tally) statusList() string {
	codes := make([]int, 0, len(t.statuses))
	for c := range t.statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, 0, len(codes)+1)
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", t.statuses[c], c))
	}
	if t.errors > 0 {
		parts = append(parts, fmt.Sprintf("%d×no answer", t.errors))
	}
	return strings.Join(parts, ", ")
}

// perHour extrapolates the checks to an hour: those sent in the first
// half of the scenario are taken as the opening burst, those of the second
// half as the rate that goes on. A second half of s seconds cannot see a
// rate under 3600/s per hour, and the figure says so.
func (t *tally) perHour() string {
	if t.n[checked] == 0 {
		return "0"
	}
	half := t.ended / 2
	var early, late int
	for _, s := range t.starts {
		if s < half {
			early++
		} else {
			late++
		}
	}
	rest := t.ended - half
	if late == 0 {
		return fmt.Sprintf("%d, all in the first %s; none in the last %s (so under %s/h after the burst)",
			early, secs(half), secs(rest), count(3600/max(rest.Seconds(), 1)))
	}
	rate := float64(late) / rest.Seconds() * 3600
	first := float64(early) + rate*(time.Hour-half).Hours()
	return fmt.Sprintf("≈ %s in the first hour (%d in the first %s, then %d in the last %s: %s/h)",
		count(first), early, secs(half), late, secs(rest), count(rate))
}

// latency is the median time to answer attempts with outcome o.
func (t *tally) latency(o outcome) string {
	l := slices.Clone(t.lat[o])
	if len(l) == 0 {
		return "–"
	}
	slices.Sort(l)
	return ms(l[len(l)/2])
}

// row is one line of the report.
type row struct {
	scenario, figure, measured, allows, meaning string
}

// report collects the figures of a run.
type report struct {
	duration time.Duration
	policies guard.Policies
	rows     []row
	notes    []string
}

func newReport(d time.Duration, overrides map[string]string) *report {
	p := guard.DefaultPolicies()
	_ = p.ParseOverrides(func(k string) string { return overrides[k] }) // the server refuses bad ones at start
	r := &report{duration: d, policies: p}
	if len(overrides) > 0 {
		keys := make([]string, 0, len(overrides))
		for k, v := range overrides {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		r.note("Guard overrides in effect: " + strings.Join(keys, ", ") + ".")
	}
	return r
}

func (r *report) add(scenario, figure, measured, allows, meaning string) {
	r.rows = append(r.rows, row{scenario, figure, measured, allows, meaning})
}

func (r *report) note(s string) { r.notes = append(r.notes, s) }

// allows says what the policy table lets a client meeting scopes do: in
// one scenario's time, in the first hour, and per hour after that. Each
// limit is a GCRA of Budget per Window: a burst of Budget, then one every
// Window/Budget; the tightest limit that applies decides. Limits meant
// for requests without a proof of work apply unless proven.
func (r *report) allows(name guard.Name, proven bool, scopes ...guard.Scope) string {
	return r.allowsIn(r.duration, name, proven, scopes...)
}

// allowsIn is allows for a scenario of d. The rate after the first hour
// leaves out caps on failures in a row, which only a success lifts.
func (r *report) allowsIn(d time.Duration, name guard.Name, proven bool, scopes ...guard.Scope) string {
	p, ok := r.policies[name]
	if !ok {
		return "(no policy " + string(name) + ")"
	}
	in := func(d time.Duration) float64 {
		n := math.Inf(1)
		for _, l := range p.Limits {
			if !slices.Contains(scopes, l.Scope) || (l.Unproven && proven) {
				continue
			}
			n = min(n, float64(l.Budget)+math.Floor(float64(d)/float64(l.Window/time.Duration(l.Budget))))
		}
		return n
	}
	steady := math.Inf(1)
	var used []string
	for _, l := range p.Limits {
		if !slices.Contains(scopes, l.Scope) || (l.Unproven && proven) {
			continue
		}
		if l.Window >= 365*24*time.Hour {
			used = append(used, fmt.Sprintf("%s %d in a row", l.Scope, l.Budget))
			continue
		}
		steady = min(steady, float64(l.Budget)*float64(time.Hour)/float64(l.Window))
		used = append(used, fmt.Sprintf("%s %d/%s", l.Scope, l.Budget, window(l.Window)))
	}
	if len(used) == 0 {
		return "no limit applies"
	}
	then := "none past the cap"
	if !math.IsInf(steady, 1) {
		then = count(steady) + "/h"
	}
	return fmt.Sprintf("`%s`: ≤ %s in %s; ≤ %s in the first hour, then %s (%s)", name,
		count(in(d)), secs(d), count(in(time.Hour)), then, strings.Join(used, ", "))
}

// print writes the report as Markdown.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\n## What gets through Latch's guard (%s per scenario)\n\n", secs(r.duration))
	fmt.Fprintln(w, "| | figure | measured | the policy table allows | what it means |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, x := range r.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", cell(x.scenario), cell(x.figure), cell(x.measured), cell(x.allows), cell(x.meaning))
	}
	if len(r.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
}

func cell(s string) string {
	if s == "" {
		return "–"
	}
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func count(f float64) string {
	switch {
	case math.IsInf(f, 0):
		return "∞"
	case f >= 100 || f == math.Trunc(f):
		return fmt.Sprintf("%.0f", f)
	default:
		return fmt.Sprintf("%.1f", f)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.0f s", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func window(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	default:
		return fmt.Sprintf("%dmin", d/time.Minute)
	}
}

// pct is n of total as a percentage.
func pct(n, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil) // never fails without options
	return j
}
