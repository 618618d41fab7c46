// Package deploy holds Latch's deployment files: the Kubernetes manifests
// under kubernetes/, and (at the repository root) the Dockerfile and
// compose.yaml. No container runtime or cluster is needed to check them:
// this test parses every file and holds them to what Latch needs.
package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/latch-dev/latch/server/config"
)

// object is one Kubernetes manifest, decoded loosely.
type object map[string]any

func (o object) str(path ...string) string {
	v, _ := o.get(path...).(string)
	return v
}

func (o object) get(path ...string) any {
	var cur any = map[string]any(o)
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	var out []map[string]any
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// manifests reads every YAML document of kubernetes/, by file.
func manifests(t *testing.T) map[string][]object {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	out := map[string][]object{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var m map[string]any
			err := dec.Decode(&m)
			o := object(m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o == nil {
				continue
			}
			out[filepath.Base(f)] = append(out[filepath.Base(f)], o)
		}
	}
	return out
}

func byKind(all map[string][]object, kind string) []object {
	var out []object
	for _, objs := range all {
		for _, o := range objs {
			if o.str("kind") == kind {
				out = append(out, o)
			}
		}
	}
	return out
}

func one(t *testing.T, all map[string][]object, kind string) object {
	t.Helper()
	objs := byKind(all, kind)
	if len(objs) != 1 {
		t.Fatalf("%d objects of kind %s, want 1", len(objs), kind)
	}
	return objs[0]
}

// configKeys are the environment keys config.Load reads.
func configKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for _, env := range []string{"dev", "production"} {
		_, _ = config.Load(func(k string) string {
			keys[k] = true
			if k == "LATCH_ENV" {
				return env
			}
			return ""
		})
	}
	if !keys["DATABASE_URL"] || !keys["LATCH_TOKEN_KEK"] {
		t.Fatalf("config keys not observed: %v", keys)
	}
	return keys
}

// routes are the paths server/web serves, as its routes file names them.
func routes(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../server/web/routes.go")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestKubernetesManifests(t *testing.T) {
	all := manifests(t)
	keys := configKeys(t)

	// Every document names its API, kind and name; kustomization lists every file.
	var files []string
	for f, objs := range all {
		for _, o := range objs {
			if o.str("apiVersion") == "" || o.str("kind") == "" || (o.str("kind") != "Kustomization" && o.str("metadata", "name") == "") {
				t.Errorf("%s: a document without apiVersion, kind or metadata.name", f)
			}
		}
		if f != "kustomization.yaml" {
			files = append(files, f)
		}
	}
	kust := one(t, all, "Kustomization")
	var listed []string
	for _, r := range kust.get("resources").([]any) {
		listed = append(listed, r.(string))
	}
	slices.Sort(files)
	slices.Sort(listed)
	if !slices.Equal(files, listed) {
		t.Errorf("kustomization lists %v, the folder holds %v", listed, files)
	}

	cm := one(t, all, "ConfigMap")
	data, _ := cm.get("data").(map[string]any)
	for k := range data {
		if !keys[k] {
			t.Errorf("ConfigMap sets %s, which Latch does not read", k)
		}
	}
	if data["LATCH_ENV"] != "production" || !strings.HasPrefix(data["LATCH_PUBLIC_URL"].(string), "https://") {
		t.Errorf("ConfigMap: LATCH_ENV %v, LATCH_PUBLIC_URL %v", data["LATCH_ENV"], data["LATCH_PUBLIC_URL"])
	}
	port := strings.TrimPrefix(data["LATCH_ADDR"].(string), ":")

	secrets := map[string][]string{}
	for _, s := range byKind(all, "Secret") {
		sd, _ := s.get("stringData").(map[string]any)
		for k := range sd {
			secrets[s.str("metadata", "name")] = append(secrets[s.str("metadata", "name")], k)
		}
	}
	cluster := one(t, all, "Cluster")
	if cluster.str("apiVersion") != "postgresql.cnpg.io/v1" {
		t.Errorf("Cluster is %s, want CloudNativePG's postgresql.cnpg.io/v1", cluster.str("apiVersion"))
	}
	if n, _ := cluster.get("spec", "instances").(int); n < 3 {
		t.Errorf("the PostgreSQL cluster has %d instances: want at least 3 for failover", n)
	}
	if cluster.get("spec", "backup") == nil || len(byKind(all, "ScheduledBackup")) == 0 {
		t.Error("the PostgreSQL cluster has no backup")
	}
	// CloudNativePG makes <cluster>-app with the connection uri.
	secrets[cluster.str("metadata", "name")+"-app"] = []string{"uri"}

	dep := one(t, all, "Deployment")
	job := one(t, all, "Job")
	labels, _ := dep.get("spec", "template", "metadata", "labels").(map[string]any)
	for name, pod := range map[string]object{"Deployment": object(dep.get("spec", "template", "spec").(map[string]any)), "Job": object(job.get("spec", "template", "spec").(map[string]any))} {
		if pod.get("securityContext", "runAsNonRoot") != true {
			t.Errorf("%s: runAsNonRoot is not set", name)
		}
		if uid, _ := pod.get("securityContext", "runAsUser").(int); uid == 0 {
			t.Errorf("%s: runs as root", name)
		}
		containers := list(pod.get("containers"))
		if len(containers) == 0 {
			t.Fatalf("%s: no containers", name)
		}
		for _, c := range containers {
			co := object(c)
			if co.str("image") != "latch" {
				t.Errorf("%s: image %q, want the kustomize name latch", name, co.str("image"))
			}
			if co.get("securityContext", "allowPrivilegeEscalation") != false || co.get("securityContext", "readOnlyRootFilesystem") != true {
				t.Errorf("%s: container may escalate or write its root filesystem", name)
			}
			if co.get("resources", "limits", "memory") == nil {
				t.Errorf("%s: no memory limit", name)
			}
			for _, e := range list(co.get("env")) {
				if !keys[e["name"].(string)] {
					t.Errorf("%s: env %s is not a key Latch reads", name, e["name"])
				}
				if ref := object(e).get("valueFrom", "secretKeyRef"); ref != nil {
					r := ref.(map[string]any)
					if !slices.Contains(secrets[r["name"].(string)], r["key"].(string)) {
						t.Errorf("%s: env %s reads %s/%s, which no manifest provides", name, e["name"], r["name"], r["key"])
					}
				}
			}
			for _, ef := range list(co.get("envFrom")) {
				if object(ef).str("configMapRef", "name") != cm.str("metadata", "name") {
					t.Errorf("%s: envFrom names another ConfigMap", name)
				}
			}
		}
	}
	jobArgs := object(list(job.get("spec", "template", "spec", "containers"))[0]).get("args").([]any)
	if len(jobArgs) != 2 || jobArgs[0] != "migrate" || jobArgs[1] != "up" {
		t.Errorf("the Job runs %v, want migrate up", jobArgs)
	}

	c := object(list(dep.get("spec", "template", "spec", "containers"))[0])
	ports := list(c.get("ports"))
	if len(ports) != 1 || itoa(ports[0]["containerPort"]) != port {
		t.Errorf("container ports %v, LATCH_ADDR port %s", ports, port)
	}
	rt := routes(t)
	for probe, want := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz", "startupProbe": "/healthz"} {
		path := c.str(probe, "httpGet", "path")
		if path != want {
			t.Errorf("%s path %q, want %q", probe, path, want)
		}
		if !strings.Contains(rt, `"GET `+path+`"`) {
			t.Errorf("%s: %s is not a route of server/web", probe, path)
		}
		if c.get(probe, "httpGet", "port") != ports[0]["name"] {
			t.Errorf("%s: probes port %v, not the container's", probe, c.get(probe, "httpGet", "port"))
		}
	}
	if dep.get("spec", "strategy", "rollingUpdate", "maxUnavailable") != 0 {
		t.Error("a rolling update may drop below the current replicas")
	}

	pdb := one(t, all, "PodDisruptionBudget")
	sel, _ := pdb.get("spec", "selector", "matchLabels").(map[string]any)
	svc := one(t, all, "Service")
	ssel, _ := svc.get("spec", "selector").(map[string]any)
	for what, s := range map[string]map[string]any{"PodDisruptionBudget": sel, "Service": ssel} {
		if len(s) == 0 {
			t.Errorf("%s selects nothing", what)
		}
		for k, v := range s {
			if labels[k] != v {
				t.Errorf("%s selects %s=%v, which the Deployment's pods do not carry", what, k, v)
			}
		}
	}
	replicas, _ := dep.get("spec", "replicas").(int)
	if min, _ := pdb.get("spec", "minAvailable").(int); min < 1 || min >= replicas {
		t.Errorf("PodDisruptionBudget minAvailable %d with %d replicas: drains must be possible and leave servers up", min, replicas)
	}
	if object(list(svc.get("spec", "ports"))[0]).get("targetPort") != ports[0]["name"] {
		t.Error("the Service does not target the container's port")
	}
}

func itoa(v any) string { return fmt.Sprint(v) }

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(froms))
	}
	final := froms[len(froms)-1][1]
	if !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage %s: want distroless static or scratch", final)
	}
	last := df[strings.LastIndex(df, "\nFROM "):]
	user := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindStringSubmatch(last)
	if user == nil || strings.HasPrefix(user[1], "0") || strings.HasPrefix(user[1], "root") {
		t.Errorf("final stage user %v: want a non-root user", user)
	}
	for _, want := range []string{"CGO_ENABLED=0", "task assets generate", "./server/cmd/latch", `ENTRYPOINT ["/latch"]`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	keys := configKeys(t)
	for _, m := range regexp.MustCompile(`(LATCH_[A-Z_]+|DATABASE_URL)=`).FindAllStringSubmatch(last, -1) {
		if !keys[m[1]] {
			t.Errorf("Dockerfile sets %s, which Latch does not read", m[1])
		}
	}
}

// TestDockerignore keeps secrets and local state out of the build context.
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for _, want := range []string{".env", ".data", ".git"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}

func TestCompose(t *testing.T) {
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image       string         `yaml:"image"`
			Build       any            `yaml:"build"`
			Command     []string       `yaml:"command"`
			Environment map[string]any `yaml:"environment"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck map[string]any `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	db, latch, migrate := c.Services["db"], c.Services["latch"], c.Services["migrate"]
	if !strings.HasPrefix(db.Image, "postgres:") || db.Healthcheck == nil {
		t.Errorf("db: image %q, healthcheck %v", db.Image, db.Healthcheck)
	}
	if latch.Build == nil || latch.DependsOn["db"].Condition != "service_healthy" || latch.DependsOn["migrate"].Condition != "service_completed_successfully" {
		t.Errorf("latch: build %v, depends_on %+v", latch.Build, latch.DependsOn)
	}
	if !slices.Equal(migrate.Command, []string{"migrate", "up"}) {
		t.Errorf("migrate runs %v", migrate.Command)
	}
	keys := configKeys(t)
	for name, s := range c.Services {
		if name == "db" {
			continue
		}
		for k := range s.Environment {
			if !keys[k] {
				t.Errorf("%s: environment %s is not a key Latch reads", name, k)
			}
		}
	}
	if !strings.Contains(latch.Environment["DATABASE_URL"].(string), "@db:5432/") {
		t.Error("latch does not reach the db service")
	}
}
