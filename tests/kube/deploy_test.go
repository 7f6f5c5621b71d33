package kube

// The chart, rendered by helm and installed into the API server as a user's `helm install` would; then the
// processes its Deployment describes (a kube-scheduler and ncg-scheduler per replica), run here with the
// configuration, arguments and ServiceAccount the chart gave them.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	schedconfig "k8s.io/kube-scheduler/config/v1"
	"sigs.k8s.io/yaml"
)

func resourceQ(v int64) resource.Quantity { return *resource.NewQuantity(v, resource.DecimalSI) }

// Release is the chart installed: what its Deployment runs, read back from the API server.
type Release struct {
	Namespace, Name string
	SchedulerName   string
	ServiceAccount  string
	SchedulerConfig string   // scheduler-config.yaml of its ConfigMap
	KubeScheduler   []string // the kube-scheduler container's command after "kube-scheduler"
	ExtenderArgs    []string // the ncg-scheduler container's arguments
	ExtenderPort    int
	Replicas        int
	Objects         []string // kind/name of what it installed
}

// helm runs the helm binary and returns its standard output.
func helm(t *testing.T, e Env, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(e.Helm, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// helm keeps its caches and configuration under HOME; the suite gives it a directory of its own.
	home := filepath.Join(e.Out, "helm-home")
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config",
		"HELM_DATA_HOME="+home+"/data")
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

// InstallChart lints and renders the chart with values, and creates every object it renders, as `helm install`
// does (helm template, then the objects applied in order).
func (c *Cluster) InstallChart(t *testing.T, release, namespace string, set ...string) *Release {
	t.Helper()
	helm(t, c.Env, "lint", "--strict", c.Env.Chart)
	args := []string{"template", release, c.Env.Chart, "--namespace", namespace, "--kube-version", "v1.36.3"}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	rendered := helm(t, c.Env, args...)
	write(t, filepath.Join(c.Env.Out, "chart-rendered.yaml"), rendered)
	ctx := context.Background()
	dc := discovery.NewDiscoveryClientForConfigOrDie(c.Config)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	dyn := dynamic.NewForConfigOrDie(c.Config)
	r := &Release{Namespace: namespace, Name: release}
	for i, doc := range strings.Split(string(rendered), "\n---") {
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(doc), "---")) == "" {
			continue
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
			t.Fatalf("rendered document %d: %v", i, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		gvk := obj.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatalf("%s %s: %v", gvk, obj.GetName(), err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			if obj.GetNamespace() == "" {
				obj.SetNamespace(namespace)
			}
			ri = dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
		}
		if _, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"}); err != nil {
			t.Fatalf("creating %s %s: %v", gvk.Kind, obj.GetName(), err)
		}
		r.Objects = append(r.Objects, gvk.Kind+"/"+obj.GetName())
		// Read the Deployment and the ConfigMap back into the real types.
		switch gvk.Kind {
		case "Deployment":
			var d appsv1.Deployment
			must(t, runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &d))
			r.fromDeployment(t, &d)
		case "ConfigMap":
			var cm corev1.ConfigMap
			must(t, runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &cm))
			r.SchedulerConfig = cm.Data["scheduler-config.yaml"]
		}
	}
	// The configuration must be a KubeSchedulerConfiguration without unknown fields.
	var cfg schedconfig.KubeSchedulerConfiguration
	if err := yaml.UnmarshalStrict([]byte(r.SchedulerConfig), &cfg); err != nil {
		t.Fatalf("the chart's scheduler configuration: %v\n%s", err, r.SchedulerConfig)
	}
	if len(cfg.Profiles) != 1 || cfg.Profiles[0].SchedulerName == nil || len(cfg.Extenders) != 1 {
		t.Fatalf("the chart's scheduler configuration: %s", r.SchedulerConfig)
	}
	r.SchedulerName = *cfg.Profiles[0].SchedulerName
	return r
}

func (r *Release) fromDeployment(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	r.ServiceAccount = d.Spec.Template.Spec.ServiceAccountName
	r.Replicas = int(*d.Spec.Replicas)
	for _, ctr := range d.Spec.Template.Spec.Containers {
		switch ctr.Name {
		case "kube-scheduler":
			if len(ctr.Command) == 0 || ctr.Command[0] != "kube-scheduler" {
				t.Fatalf("kube-scheduler container: command %v", ctr.Command)
			}
			r.KubeScheduler = append(ctr.Command[1:], ctr.Args...)
		case "ncg-scheduler":
			r.ExtenderArgs = ctr.Args
			for _, a := range ctr.Args {
				if v, ok := strings.CutPrefix(a, "--listen=127.0.0.1:"); ok {
					r.ExtenderPort, _ = strconv.Atoi(v)
				}
			}
		}
	}
	if r.KubeScheduler == nil || r.ExtenderArgs == nil || r.ExtenderPort == 0 {
		t.Fatalf("the chart's Deployment: %+v", d.Spec.Template.Spec.Containers)
	}
}

// Pair is one replica of the chart's Deployment: kube-scheduler and ncg-scheduler on the release's extender port
// (each pair in a network namespace of its own in a cluster; here one pair runs at a time on the port, or the
// pairs get ports of their own).
type Pair struct {
	Index         int
	KubeScheduler *Proc
	Extender      *Proc
	ExtenderURL   string // http://127.0.0.1:port
	MetricsURL    string
	schedPort     int
	c             *Cluster
	r             *Release
	extArgs       []string
}

// StartPair runs replica i of the release: ncg-scheduler on extPort with the chart's arguments (plus the
// ServiceAccount's kubeconfig), and kube-scheduler with the chart's configuration calling it there.
func (c *Cluster) StartPair(t *testing.T, r *Release, i, extPort int) *Pair {
	t.Helper()
	p := &Pair{Index: i, c: c, r: r}
	kubeconfig := c.Kubeconfig(t, r.Namespace, r.ServiceAccount)
	metricsPort := freePort(t)
	for _, a := range r.ExtenderArgs {
		switch {
		case strings.HasPrefix(a, "--listen="):
			a = fmt.Sprintf("--listen=127.0.0.1:%d", extPort)
		case strings.HasPrefix(a, "--metrics-listen="):
			a = fmt.Sprintf("--metrics-listen=127.0.0.1:%d", metricsPort)
		}
		p.extArgs = append(p.extArgs, a)
	}
	p.extArgs = append(p.extArgs, "--kubeconfig="+kubeconfig)
	if os.Getenv("NCG_E2E_VERBOSE") != "" {
		p.extArgs = append(p.extArgs, "-v")
	}
	if os.Getenv("NCG_E2E_PROFILE") != "" {
		p.extArgs = append(p.extArgs, "--profiling")
	}
	p.ExtenderURL = fmt.Sprintf("http://127.0.0.1:%d", extPort)
	p.MetricsURL = fmt.Sprintf("http://127.0.0.1:%d", metricsPort)
	p.StartExtender(t)
	c.pairs = append(c.pairs, p)

	// kube-scheduler: the chart's configuration with the ServiceAccount's kubeconfig (in a pod it takes the
	// in-cluster configuration) and this pair's extender port.
	var cfg map[string]any
	must(t, yaml.Unmarshal([]byte(r.SchedulerConfig), &cfg))
	cc, _ := cfg["clientConnection"].(map[string]any)
	if cc == nil {
		cc = map[string]any{}
	}
	cc["kubeconfig"] = kubeconfig
	cfg["clientConnection"] = cc
	ext := cfg["extenders"].([]any)[0].(map[string]any)
	ext["urlPrefix"] = p.ExtenderURL
	out, err := yaml.Marshal(cfg)
	must(t, err)
	cfgPath := filepath.Join(c.Dir, fmt.Sprintf("scheduler-config-%d.yaml", i))
	write(t, cfgPath, out)
	p.schedPort = freePort(t)
	var args []string
	for _, a := range r.KubeScheduler {
		switch {
		case strings.HasPrefix(a, "--config="):
			a = "--config=" + cfgPath
		case strings.HasPrefix(a, "--secure-port="):
			a = fmt.Sprintf("--secure-port=%d", p.schedPort)
		}
		args = append(args, a)
	}
	args = append(args, "--bind-address=127.0.0.1", "--cert-dir="+filepath.Join(c.Dir, fmt.Sprintf("scheduler-%d-certs", i)))
	p.KubeScheduler = c.track(start(t, c.Dir, fmt.Sprintf("kube-scheduler-%d", i), nil, c.Env.ControlPlane,
		append([]string{"kube-scheduler"}, args...)...))
	waitHTTP(t, p.KubeScheduler, fmt.Sprintf("https://127.0.0.1:%d/healthz", p.schedPort), 60*time.Second)
	return p
}

// StartExtender starts (or restarts) the pair's ncg-scheduler and waits until its state is built.
func (p *Pair) StartExtender(t *testing.T) {
	t.Helper()
	env := []string{"LD_LIBRARY_PATH=" + p.c.Env.LibPath}
	p.Extender = p.c.track(start(t, p.c.Dir, fmt.Sprintf("ncg-scheduler-%d", p.Index), env, p.c.Env.Scheduler, p.extArgs...))
	waitHTTP(t, p.Extender, p.MetricsURL+"/healthz", 60*time.Second)
}

// Baseline is a plain kube-scheduler and the address of its /metrics.
type Baseline struct {
	*Proc
	MetricsURL string
	Name       string // its scheduler name
}

// StartBaseline runs a plain kube-scheduler with no extender under the scheduler name given: the baseline of
// the burst. With budget false it has kube-scheduler's default API client limits (50 requests a second, bursts
// of 100), as a stock kube-scheduler; with budget true the limits the chart gives ncg-scheduler's client, which
// posts the bindings when the extender binds. Its /metrics is open to the suite.
func (c *Cluster) StartBaseline(t *testing.T, r *Release, name string, budget bool) *Baseline {
	t.Helper()
	limits := ""
	if budget {
		qps, burst := "", ""
		for _, a := range r.ExtenderArgs {
			if v, ok := strings.CutPrefix(a, "--kube-api-qps="); ok {
				qps = v
			}
			if v, ok := strings.CutPrefix(a, "--kube-api-burst="); ok {
				burst = v
			}
		}
		if qps == "" || burst == "" {
			t.Fatalf("the chart gives ncg-scheduler no --kube-api-qps or --kube-api-burst: %v", r.ExtenderArgs)
		}
		limits = fmt.Sprintf("\n  qps: %s\n  burst: %s", qps, burst)
	}
	cfg := fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %s%s
leaderElection:
  leaderElect: false
profiles:
  - schedulerName: %s
`, c.Kubeconfig(t, r.Namespace, r.ServiceAccount), limits, name)
	path := filepath.Join(c.Dir, name+"-config.yaml")
	write(t, path, []byte(cfg))
	port := freePort(t)
	p := c.track(start(t, c.Dir, "kube-scheduler-"+name, nil, c.Env.ControlPlane, "kube-scheduler",
		"--config="+path, fmt.Sprintf("--secure-port=%d", port), "--bind-address=127.0.0.1", "--v=2",
		"--cert-dir="+filepath.Join(c.Dir, name+"-certs"),
		"--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics"))
	waitHTTP(t, p, fmt.Sprintf("https://127.0.0.1:%d/healthz", port), 60*time.Second)
	return &Baseline{Proc: p, MetricsURL: fmt.Sprintf("https://127.0.0.1:%d/metrics", port), Name: name}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
