package kube

// TestEndToEnd: ncg-scheduler with the stock kube-scheduler and API server, installed from the chart, through
// the scenarios of doc/scheduler.md's "End-to-end suite", each followed by the invariants' check. The figures
// (throughput against a plain kube-scheduler, per-call percentiles) are printed and written to
// $NCG_E2E_OUT/results.md.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
	"sigs.k8s.io/yaml"

	dto "github.com/prometheus/client_model/go"
)

// The node set of the bursts: 64 nodes of every Neuron family and a few without Neuron devices.
var burstNodes = []struct {
	typ string
	n   int
}{{"inf1.6xlarge", 12}, {"inf1.24xlarge", 8}, {"inf2.24xlarge", 14}, {"inf2.48xlarge", 12}, {"trn1.32xlarge", 8},
	{"trn2.48xlarge", 6}, {"m5.large", 4}}

// shape is a pod's Neuron request.
type shape struct {
	res   string
	count int64
}

// burstShapes are the requests of the bursts' pods, in turn: devices under both names, and cores; 500 of them
// ask for about half of the burst nodes' NeuronCores.
var burstShapes = []shape{
	{"aws.amazon.com/neuroncore", 1}, {"aws.amazon.com/neuron", 1}, {"aws.amazon.com/neuroncore", 2},
	{"aws.amazon.com/neurondevice", 1}, {"aws.amazon.com/neuroncore", 1}, {"aws.amazon.com/neuron", 1},
	{"aws.amazon.com/neuroncore", 1}, {"aws.amazon.com/neuron", 2}, {"aws.amazon.com/neuroncore", 1},
	{"aws.amazon.com/neuron", 1}, {"aws.amazon.com/neurondevice", 1}, {"aws.amazon.com/neuroncore", 1},
	{"aws.amazon.com/neuron", 1}, {"aws.amazon.com/neuroncore", 2}, {"aws.amazon.com/neuroncore", 1},
	{"aws.amazon.com/neuron", 1}, {"aws.amazon.com/neuroncore", 1}, {"aws.amazon.com/neuroncore", 1},
	{"aws.amazon.com/neuroncore", 1}, {"aws.amazon.com/neuron", 1},
}

// neuronPod is a pod asking for a shape (and 100m of CPU, 128Mi) through scheduler.
func neuronPod(ns, name, scheduler string, s shape) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PodSpec{SchedulerName: scheduler, Containers: []corev1.Container{{Name: "app", Image: "app",
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}}}}}}
	if s.count > 0 {
		p.Spec.Containers[0].Resources.Limits[corev1.ResourceName(s.res)] = *resource.NewQuantity(s.count, resource.DecimalSI)
	}
	return p
}

// Results collects the figures of the run.
type Results struct {
	mu    sync.Mutex
	lines []string
}

func (r *Results) add(t *testing.T, format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	t.Log(line)
	fmt.Println("e2e: " + line)
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
}

func TestEndToEnd(t *testing.T) {
	e := envFromOS(t)
	res := &Results{}
	defer func() {
		text := "# ncg-scheduler end-to-end run, " + time.Now().UTC().Format("2006-01-02 15:04 MST") + "\n\n" +
			strings.Join(res.lines, "\n") + "\n"
		_ = os.WriteFile(filepath.Join(e.Out, "results.md"), []byte(text), 0o644)
	}()
	c := StartCluster(t, e)
	ctx := context.Background()
	v, err := c.Admin.Discovery().ServerVersion()
	must(t, err)
	res.add(t, "control plane: kube-apiserver %s, etcd and kube-scheduler of the same build", v.GitVersion)

	extPort := freePort(t)
	rel := c.InstallChart(t, "ncg-scheduler", "kube-system", fmt.Sprintf("extender.port=%d", extPort))
	res.add(t, "chart installed: %s", strings.Join(rel.Objects, ", "))
	var pairs []*Pair
	for i := 0; i < rel.Replicas; i++ {
		port := extPort
		if i > 0 {
			port = freePort(t) // a pod of its own in a cluster: here a port of its own
		}
		pairs = append(pairs, c.StartPair(t, rel, i, port))
	}
	var nodeNames []string
	for _, g := range burstNodes {
		for k := 0; k < g.n; k++ {
			nodeNames = append(nodeNames, fmt.Sprintf("%s-%02d", strings.ReplaceAll(g.typ, ".", "-"), k))
		}
	}
	must(t, parallel(len(nodeNames), 16, func(i int) error {
		name := nodeNames[i]
		typ := name[:strings.LastIndex(name, "-")]
		typ = strings.Replace(typ, "-", ".", 1)
		return c.CreateNode(ctx, name, typ)
	}))
	// a Trainium2 node at LNC=1: its device plugin counts 8 NeuronCores per device, and so must the scheduler
	lncNode := "trn2-48xlarge-lnc1"
	must(t, c.CreateNodeLNC(ctx, lncNode, "trn2.48xlarge", 1))
	nodeNames = append(nodeNames, lncNode)
	var neuronNodes []string
	for _, n := range nodeNames {
		if !strings.HasPrefix(n, "m5-") {
			neuronNodes = append(neuronNodes, n)
		}
	}
	res.add(t, "%d nodes, %d replicas of the chart's scheduler pod (leader election on)", len(nodeNames), len(pairs))
	check := func(t *testing.T, scenario string) {
		t.Helper()
		v := c.Check(t, pairs)
		res.add(t, "%s: %d pods (%d bound, %d pending): %d shared cores, %d stale annotations, %d wrong annotations, "+
			"%d unaccounted, %d conflicts", scenario, v.Pods, v.Bound, v.Pending, v.SharedCores, v.Stale, v.Wrong,
			v.Unaccounted, v.Conflicts)
		if !v.Clean() {
			t.Errorf("%s:\n  %s", scenario, strings.Join(v.Problems, "\n  "))
		}
	}

	t.Run("example pod", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(e.Examples, "pod.yaml"))
		must(t, err)
		var pod corev1.Pod
		must(t, yaml.UnmarshalStrict(data, &pod))
		if pod.Spec.SchedulerName != rel.SchedulerName {
			t.Fatalf("the example pod names scheduler %q, the chart installs %q", pod.Spec.SchedulerName, rel.SchedulerName)
		}
		_, err = c.Admin.CoreV1().Pods(pod.Namespace).Create(ctx, &pod, metav1.CreateOptions{})
		must(t, err)
		got := waitBound(t, c, pod.Namespace, pod.Name, 60*time.Second)
		if _, n, err := parseIDs(got.Annotations[annIDs]); err != nil || n != 2 || got.Annotations[annNode] != got.Spec.NodeName {
			t.Fatalf("%s on %s: %v", pod.Name, got.Spec.NodeName, got.Annotations)
		}
		res.add(t, "example pod: bound to %s with %s=%s", got.Spec.NodeName, annIDs, got.Annotations[annIDs])
		check(t, "example pod")
	})

	t.Run("logical neuroncores", func(t *testing.T) {
		ns := "lnc"
		createNamespace(t, c, ns)
		// 100 NeuronCores: only an LNC=1 trn2.48xlarge has them (128; 64 at LNC=2)
		p := neuronPod(ns, "hundred-cores", rel.SchedulerName, shape{"aws.amazon.com/neuroncore", 100})
		p.Spec.NodeSelector = map[string]string{labelLNC: "1"}
		_, err := c.Admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
		must(t, err)
		got := waitBound(t, c, ns, p.Name, 60*time.Second)
		first, n, err := parseIDs(got.Annotations[annIDs])
		if err != nil || n != 100 || first != 0 || got.Spec.NodeName != lncNode {
			t.Fatalf("%s on %s: %v (%v)", p.Name, got.Spec.NodeName, got.Annotations, err)
		}
		res.add(t, "logical neuroncores: 100 NeuronCores bound to %s (LNC=1, 128 cores) with %s=0..99",
			got.Spec.NodeName, annIDs)
		check(t, "logical neuroncores")
	})

	t.Run("resource names and unschedulable pods", func(t *testing.T) {
		ns := "names"
		createNamespace(t, c, ns)
		for _, s := range []shape{{"aws.amazon.com/neuron", 2}, {"aws.amazon.com/neuroncore", 3}, {"aws.amazon.com/neurondevice", 1}} {
			name := strings.TrimPrefix(s.res, "aws.amazon.com/")
			_, err := c.Admin.CoreV1().Pods(ns).Create(ctx, neuronPod(ns, name, rel.SchedulerName, s), metav1.CreateOptions{})
			must(t, err)
			p := waitBound(t, c, ns, name, 60*time.Second)
			res.add(t, "%s %d: bound to %s with %s=%s %s=%q", s.res, s.count, p.Spec.NodeName, annIDs,
				p.Annotations[annIDs], annType, p.Annotations[annType])
		}
		// Pods no node can ever take: an event that says why on every node, and the pod parked as
		// unschedulable (not retried as an error).
		both := neuronPod(ns, "both", rel.SchedulerName, shape{"aws.amazon.com/neuron", 1})
		both.Spec.Containers[0].Resources.Limits["aws.amazon.com/neuroncore"] = resource.MustParse("2")
		huge := neuronPod(ns, "huge", rel.SchedulerName, shape{"aws.amazon.com/neuron", 64})
		trn3 := neuronPod(ns, "three-on-torus", rel.SchedulerName, shape{"aws.amazon.com/neuron", 3})
		trn3.Spec.NodeSelector = map[string]string{"node.kubernetes.io/instance-type": "trn1.32xlarge"}
		for _, p := range []*corev1.Pod{both, huge, trn3} {
			_, err := c.Admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
			must(t, err)
		}
		for _, w := range []struct{ pod, contains string }{
			{"both", "pod asks for both aws.amazon.com/neuron (1) and aws.amazon.com/neuroncore (2); ask for one"},
			{"huge", fmt.Sprintf("%d Insufficient aws.amazon.com/neuron", len(nodeNames))}, // kube-scheduler's count
			{"three-on-torus", "Instance type trn1.32xlarge does not support requests for device: 3"},
		} {
			ev := waitEvent(t, c, ns, w.pod, "FailedScheduling", 60*time.Second)
			if !strings.HasPrefix(ev.Message, fmt.Sprintf("0/%d nodes are available: ", len(nodeNames))) ||
				!strings.Contains(ev.Message, w.contains) {
				t.Errorf("pod %s: event %q, want the 0/N summary with %q", w.pod, ev.Message, w.contains)
			}
			// kube-scheduler records the failure in the pod's PodScheduled condition after the event.
			reason := ""
			waitFor(t, 30*time.Second, "the PodScheduled condition of "+w.pod, func() bool {
				p, err := c.Admin.CoreV1().Pods(ns).Get(ctx, w.pod, metav1.GetOptions{})
				if err != nil {
					return false
				}
				for _, cond := range p.Status.Conditions {
					if cond.Type == corev1.PodScheduled {
						reason = cond.Reason
					}
				}
				return reason != ""
			})
			if reason != corev1.PodReasonUnschedulable {
				t.Errorf("pod %s: PodScheduled reason %q, want %q", w.pod, reason, corev1.PodReasonUnschedulable)
			}
			res.add(t, "unschedulable %s: %.240s", w.pod, ev.Message)
		}
		check(t, "resource names")
	})

	deleteAll(t, c)
	t.Run("pods bound before the extender started", func(t *testing.T) {
		ns := "prebound"
		createNamespace(t, c, ns)
		for _, p := range pairs {
			p.Extender.Stop()
		}
		// Bound by someone else while no extender ran: with annotations (the extender of an earlier run), and
		// without (the default scheduler and the device plugin's own choice).
		annotated := neuronPod(ns, "annotated", "", shape{"aws.amazon.com/neuron", 2})
		annotated.Spec.NodeName = "inf2-24xlarge-00"
		annotated.Annotations = map[string]string{annIDs: "2,3", annNode: "inf2-24xlarge-00", annAllocated: "true",
			annAllocTime: "1"}
		cores := neuronPod(ns, "cores", "", shape{"aws.amazon.com/neuroncore", 2})
		cores.Spec.NodeName = "inf2-24xlarge-00"
		cores.Annotations = map[string]string{annIDs: "8,9", annNode: "inf2-24xlarge-00", annType: "aws.amazon.com/neuroncore",
			annAllocated: "true", annAllocTime: "1"}
		bare := neuronPod(ns, "bare", "", shape{"aws.amazon.com/neuron", 1})
		bare.Spec.NodeName = "inf2-24xlarge-01"
		for _, p := range []*corev1.Pod{annotated, cores, bare} {
			_, err := c.Admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
			must(t, err)
		}
		for _, p := range pairs {
			p.StartExtender(t)
		}
		// New pods on the node of the annotated ones get other devices; on the node of the bare one, none.
		pin := func(name, node string, s shape) {
			p := neuronPod(ns, name, rel.SchedulerName, s)
			p.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": node}
			_, err := c.Admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
			must(t, err)
		}
		pin("next", "inf2-24xlarge-00", shape{"aws.amazon.com/neuron", 2})
		pin("next-cores", "inf2-24xlarge-00", shape{"aws.amazon.com/neuroncore", 2})
		pin("blocked", "inf2-24xlarge-01", shape{"aws.amazon.com/neuron", 1})
		for _, name := range []string{"next", "next-cores"} {
			p := waitBound(t, c, ns, name, 60*time.Second)
			res.add(t, "pre-bound: %s bound beside the annotated pods with %s=%s", name, annIDs, p.Annotations[annIDs])
		}
		ev := waitEvent(t, c, ns, "blocked", "FailedScheduling", 60*time.Second)
		if !strings.Contains(ev.Message, "pods hold Neuron resources that ncg-scheduler cannot see: prebound/bare (1 aws.amazon.com/neuron without AWS_NEURON_IDS)") {
			t.Errorf("blocked: %q", ev.Message)
		}
		res.add(t, "pre-bound: a pod for the node of the unannotated pod: %.300s", ev.Message)
		check(t, "pods bound before the extender started")
		// The unannotated pod leaves: the node serves again.
		must(t, c.Admin.CoreV1().Pods(ns).Delete(ctx, "bare", metav1.DeleteOptions{GracePeriodSeconds: new(int64)}))
	})

	deleteAll(t, c)
	check(t, "after clean-up")

	// The burst: 500 pods created while the schedulers are stopped (SIGSTOP), then all scheduled at once when they
	// go on; three rounds of a stock kube-scheduler, of a kube-scheduler with ncg-scheduler's API budget, and of
	// kube-scheduler with ncg-scheduler, in turn, the throughput compared over the rounds' total time.
	const burst, rounds = 500, 3
	t.Run("burst", func(t *testing.T) {
		stock := c.StartBaseline(t, rel, "plain-stock", false)
		defer stock.Stop()
		budget := c.StartBaseline(t, rel, "plain-budget", true)
		defer budget.Stop()
		var kubeSchedulers []*Proc
		for _, p := range pairs {
			kubeSchedulers = append(kubeSchedulers, p.KubeScheduler)
		}
		var stockTime, budgetTime, ncgTime time.Duration
		before := scrapeAll(t, pairs)
		for round := 0; round < rounds; round++ {
			var took [3]time.Duration
			for k, b := range []*Baseline{stock, budget} {
				ns := fmt.Sprintf("%s-%d", b.Name, round)
				createNamespace(t, c, ns)
				cpu0 := c.cpuTimes(pairs, b.Proc)
				r := runPods(t, c, ns, b.Name, burst, podOpts{hold: []*Proc{b.Proc}})
				res.add(t, "burst round %d, %s: CPU seconds %s", round+1, b.Name, c.cpuSince(cpu0, pairs, b.Proc))
				deleteAll(t, c)
				took[k] = r.took
			}
			ns := fmt.Sprintf("burst-%d", round)
			createNamespace(t, c, ns)
			cpu0 := c.cpuTimes(pairs, budget.Proc)
			if os.Getenv("NCG_E2E_PROFILE") != "" && round == 0 {
				// A CPU profile of the extenders while they serve the burst (NCG_E2E_PROFILE=1: --profiling).
				for _, p := range pairs {
					go saveProfile(t, p, filepath.Join(e.Out, fmt.Sprintf("ncg-scheduler-%d.pprof", p.Index)))
				}
			}
			r := runPods(t, c, ns, rel.SchedulerName, burst, podOpts{hold: kubeSchedulers})
			res.add(t, "burst round %d, ncg-scheduler: CPU seconds %s", round+1, c.cpuSince(cpu0, pairs, budget.Proc))
			check(t, fmt.Sprintf("burst, round %d", round+1))
			deleteAll(t, c)
			took[2] = r.took
			stockTime, budgetTime, ncgTime = stockTime+took[0], budgetTime+took[1], ncgTime+took[2]
			res.add(t, "burst of %d pods on %d nodes, round %d: stock kube-scheduler %.2f s, kube-scheduler with "+
				"ncg-scheduler's API budget %.2f s, ncg-scheduler %.2f s", burst, len(nodeNames), round+1,
				took[0].Seconds(), took[1].Seconds(), took[2].Seconds())
		}
		rate := func(d time.Duration) float64 { return float64(rounds*burst) / d.Seconds() }
		ratio := stockTime.Seconds() / ncgTime.Seconds()
		res.add(t, "burst of %d pods, %d rounds: ncg-scheduler %.1f pods/s, %.2fx the stock kube-scheduler's %.1f "+
			"(target >= 0.9); %.2fx the %.1f of a kube-scheduler with the same API budget", burst, rounds, rate(ncgTime),
			ratio, rate(stockTime), budgetTime.Seconds()/ncgTime.Seconds(), rate(budgetTime))
		if ratio < 0.9 {
			t.Errorf("throughput %.2fx the stock kube-scheduler's", ratio)
		}
		reportCalls(t, res, pairs, before, "burst")
		// The plain kube-schedulers' own binds (the DefaultBinder posting the Binding), beside the extender's.
		for _, b := range []*Baseline{stock, budget} {
			v, n := p99Labeled(scrapeURL(t, b.MetricsURL), "scheduler_framework_extension_point_duration_seconds",
				map[string]string{"extension_point": "Bind", "profile": b.Name})
			res.add(t, "burst, %s: its own Bind p99 <= %s (%d binds)", b.Name, seconds(v), int(n))
		}
	})
	deleteAll(t, c)

	t.Run("extender killed in a burst", func(t *testing.T) {
		createNamespace(t, c, "killed")
		var killed *Pair
		r := runBurst(t, c, "killed", rel.SchedulerName, 300, func(bound int) bool {
			if bound < 60 || killed != nil {
				return false
			}
			killed = servingPair(t, pairs)
			killed.Extender.Kill()
			killed.StartExtender(t)
			return true
		})
		if killed == nil {
			t.Fatal("the burst ended before the extender was killed")
		}
		res.add(t, "burst of 300 pods, ncg-scheduler-%d killed (SIGKILL) after 60 binds and restarted: all bound "+
			"in %.2f s", killed.Index, r.took.Seconds())
		check(t, "extender killed")
	})
	deleteAll(t, c)

	t.Run("concurrent binds of one pod", func(t *testing.T) {
		ns := "twice"
		createNamespace(t, c, ns)
		const n = 100
		wins := [2]int{}
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("p%03d", i)
			sh := shape{"aws.amazon.com/neuron", 1}
			if i%2 == 1 {
				sh = shape{"aws.amazon.com/neuroncore", 1 + int64(i%3)}
			}
			p, err := c.Admin.CoreV1().Pods(ns).Create(ctx, neuronPod(ns, name, "nobody", sh), metav1.CreateOptions{})
			must(t, err)
			// Two extenders (two scheduler replicas in a failover), two Neuron nodes.
			nodes := [2]string{neuronNodes[i%len(neuronNodes)], neuronNodes[(i*7+3)%len(neuronNodes)]}
			if nodes[0] == nodes[1] {
				nodes[1] = neuronNodes[(i+1)%len(neuronNodes)]
			}
			var errs [2]string
			var wg sync.WaitGroup
			for k := 0; k < 2; k++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pr := pairs[k%len(pairs)]
					errs[k] = postBind(t, pr, &extenderv1.ExtenderBindingArgs{PodName: name, PodNamespace: ns,
						PodUID: p.UID, Node: nodes[k]})
				}()
			}
			wg.Wait()
			got, err := c.Admin.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
			must(t, err)
			switch {
			case errs[0] == "" && errs[1] == "":
				t.Errorf("pod %s: both binds succeeded; bound to %s", name, got.Spec.NodeName)
			case errs[0] != "" && errs[1] != "":
				t.Errorf("pod %s: both binds failed: %q, %q", name, errs[0], errs[1])
			case errs[0] == "" && got.Spec.NodeName != nodes[0], errs[1] == "" && got.Spec.NodeName != nodes[1]:
				t.Errorf("pod %s: bound to %s against the answers %q, %q", name, got.Spec.NodeName, errs[0], errs[1])
			}
			if errs[0] == "" {
				wins[0]++
			} else {
				wins[1]++
			}
		}
		res.add(t, "%d pods, each bound concurrently to two nodes by the two extenders: each bound once (%d by the "+
			"first, %d by the second)", n, wins[0], wins[1])
		check(t, "concurrent binds of one pod")
	})
	deleteAll(t, c)

	t.Run("1,000 nodes", func(t *testing.T) {
		var more []string
		for i := 0; len(nodeNames)+len(more) < 1000; i++ {
			g := burstNodes[i%(len(burstNodes)-1)]
			more = append(more, fmt.Sprintf("big-%s-%03d", strings.ReplaceAll(g.typ, ".", "-"), i))
		}
		must(t, parallel(len(more), 32, func(i int) error {
			name := more[i]
			typ := strings.TrimPrefix(name[:strings.LastIndex(name, "-")], "big-")
			return c.CreateNode(ctx, name, strings.Replace(typ, "-", ".", 1))
		}))
		for _, p := range pairs {
			waitFor(t, 30*time.Second, "the extender to see 1,000 nodes", func() bool {
				st, err := p.State()
				return err == nil && len(st) == 1000
			})
		}
		// A burst: the API server, kube-scheduler, the extenders and the suite's 16 clients share 2 cores.
		createNamespace(t, c, "thousand")
		before := scrapeAll(t, pairs)
		r := runBurst(t, c, "thousand", rel.SchedulerName, 1000, nil)
		res.add(t, "burst of 1,000 pods on 1,000 nodes: all bound in %.2f s, %.1f pods/s", r.took.Seconds(), r.rate)
		burstP99 := reportCalls(t, res, pairs, before, "1,000 nodes, burst")
		check(t, "1,000 nodes, burst")
		// A steady 40 pods a second (a large deployment scaling up): the per-call targets.
		createNamespace(t, c, "steady")
		before = scrapeAll(t, pairs)
		if os.Getenv("NCG_E2E_PROFILE") != "" {
			for _, p := range pairs {
				go saveProfile(t, p, filepath.Join(e.Out, fmt.Sprintf("steady-ncg-scheduler-%d.pprof", p.Index)))
			}
		}
		r = runPods(t, c, "steady", rel.SchedulerName, 1000, podOpts{perSecond: 40})
		res.add(t, "1,000 more pods on 1,000 nodes at 40 pods/s: all bound in %.2f s", r.took.Seconds())
		p99 := reportCalls(t, res, pairs, before, "1,000 nodes, 40 pods/s")
		// The histograms' bounds: p99 <= 900 µs is under 1 ms, p99 <= 40 ms under 50 ms.
		if burstP99["filter cpu"] > 900e-6 || burstP99["prioritize cpu"] > 900e-6 {
			t.Errorf("per-call CPU p99 over target in the burst: %v", burstP99)
		}
		if p99["filter cpu"] > 900e-6 || p99["prioritize cpu"] > 900e-6 || p99["bind wall"] > 40e-3 {
			t.Errorf("per-call p99 over target at 40 pods/s: %v", p99)
		}
		check(t, "1,000 nodes, 40 pods/s")
	})
	deleteAll(t, c)

	t.Run("the leader's pod lost", func(t *testing.T) {
		// The pod of the leading replica goes (both its containers killed): the standby's kube-scheduler takes
		// the Lease once it expires, and its extender, ready all along, binds the pods that waited.
		lead := servingPair(t, pairs)
		var standby *Pair
		for _, p := range pairs {
			if p != lead {
				standby = p
			}
		}
		if standby == nil {
			t.Skip("one replica")
		}
		lead.KubeScheduler.Kill()
		lead.Extender.Kill()
		lost := time.Now()
		createNamespace(t, c, "failover")
		runBurst(t, c, "failover", rel.SchedulerName, 100, nil)
		res.add(t, "the leader's pod killed: 100 pods created at once, all bound by the standby %.1f s after the "+
			"loss (the Lease lasts 15 s)", time.Since(lost).Seconds())
		if n := histCount(scrape(t, standby), "ncg_scheduler_request_duration_seconds", "bind"); n < 100 {
			t.Errorf("the standby's extender bound %v pods", n)
		}
		check(t, "the leader's pod lost")
	})
}

// saveProfile saves a 20-second CPU profile of the pair's extender (run with --profiling) to path.
func saveProfile(t *testing.T, p *Pair, path string) {
	resp, err := http.Get(p.ExtenderURL + "/debug/pprof/profile?seconds=20")
	if err != nil {
		t.Logf("profile of ncg-scheduler-%d: %v", p.Index, err)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		t.Logf("profile of ncg-scheduler-%d: %v", p.Index, err)
	}
}

// cpuTimes is the CPU time of the control plane's processes, the pairs' and the baseline's, by name.
func (c *Cluster) cpuTimes(pairs []*Pair, base *Proc) map[string]time.Duration {
	m := map[string]time.Duration{}
	procs := append([]*Proc(nil), c.procs[:2]...) // etcd, kube-apiserver
	for _, p := range pairs {
		procs = append(procs, p.KubeScheduler, p.Extender)
	}
	procs = append(procs, base)
	for _, p := range procs {
		m[p.Name] = p.CPU()
	}
	return m
}

// cpuSince is the CPU time each process used since before, as text.
func (c *Cluster) cpuSince(before map[string]time.Duration, pairs []*Pair, base *Proc) string {
	after := c.cpuTimes(pairs, base)
	var names []string
	for n := range after {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %.2f", n, (after[n]-before[n]).Seconds()))
	}
	return strings.Join(parts, ", ")
}

// createNamespace makes a namespace (no controller deletes namespaces here: pods are deleted instead).
func createNamespace(t *testing.T, c *Cluster, ns string) {
	t.Helper()
	_, err := c.Admin.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
}

// deleteAll deletes every pod of the suite's namespaces at once (no kubelet runs to end them gracefully), and
// waits until the API server has none.
func deleteAll(t *testing.T, c *Cluster) {
	t.Helper()
	ctx := context.Background()
	nss, err := c.Admin.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	must(t, err)
	zero := int64(0)
	for _, ns := range nss.Items {
		if ns.Name == "kube-system" || ns.Name == "kube-public" || ns.Name == "kube-node-lease" {
			continue
		}
		must(t, c.Admin.CoreV1().Pods(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero},
			metav1.ListOptions{}))
	}
	waitFor(t, 60*time.Second, "the pods to be deleted", func() bool {
		pods, err := c.Admin.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		return err == nil && len(pods.Items) == 0
	})
}

// waitBound waits until the pod is bound and returns it.
func waitBound(t *testing.T, c *Cluster, ns, name string, timeout time.Duration) *corev1.Pod {
	t.Helper()
	var p *corev1.Pod
	waitFor(t, timeout, "pod "+ns+"/"+name+" to be bound", func() bool {
		var err error
		p, err = c.Admin.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
		return err == nil && p.Spec.NodeName != ""
	})
	return p
}

// waitEvent waits for an event of the reason about the pod and returns the newest.
func waitEvent(t *testing.T, c *Cluster, ns, pod, reason string, timeout time.Duration) corev1.Event {
	t.Helper()
	var ev corev1.Event
	sel := fields.Set{"involvedObject.name": pod, "reason": reason}.AsSelector().String()
	waitFor(t, timeout, "a "+reason+" event of pod "+ns+"/"+pod, func() bool {
		list, err := c.Admin.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{FieldSelector: sel})
		if err != nil || len(list.Items) == 0 {
			return false
		}
		sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].LastTimestamp.Before(&list.Items[j].LastTimestamp) })
		ev = list.Items[len(list.Items)-1]
		return true
	})
	return ev
}

type burstResult struct {
	took time.Duration
	rate float64
}

// podOpts says how runPods creates its pods.
type podOpts struct {
	perSecond float64        // pods created per second; 0: as fast as 16 clients go
	hold      []*Proc        // processes stopped (SIGSTOP) while the pods are created, then continued
	during    func(int) bool // called with the number bound at each binding until it returns true
}

// runBurst creates n pods of burstShapes at once (16 clients) through scheduler, and waits until every one is
// bound; during the wait, during(bound) is called at each binding until it returns true.
func runBurst(t *testing.T, c *Cluster, ns, scheduler string, n int, during func(bound int) bool) burstResult {
	return runPods(t, c, ns, scheduler, n, podOpts{during: during})
}

// runPods creates n pods of burstShapes through scheduler and waits until every one is bound. The time taken is
// from the first create (with o.hold: from when the held processes go on) to the last binding, seen by an
// informer.
func runPods(t *testing.T, c *Cluster, ns, scheduler string, n int, o podOpts) burstResult {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// An informer of the namespace's pods (it lists and watches again when a watch ends) reports each binding.
	type seen struct {
		name string
		at   time.Time
	}
	boundc := make(chan seen, n)
	factory := informers.NewSharedInformerFactoryWithOptions(c.Admin, 0, informers.WithNamespace(ns))
	inf := factory.Core().V1().Pods().Informer()
	report := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			boundc <- seen{p.Name, time.Now()}
		}
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: report,
		UpdateFunc: func(old, obj any) {
			if o, ok := old.(*corev1.Pod); ok && o.Spec.NodeName == "" {
				report(obj)
			}
		}})
	must(t, err)
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	for _, p := range o.hold {
		p.Signal(syscall.SIGSTOP)
	}
	start := time.Now()
	create := func() error {
		return parallel(n, 16, func(i int) error {
			if o.perSecond > 0 {
				if d := time.Until(start.Add(time.Duration(float64(i) / o.perSecond * float64(time.Second)))); d > 0 {
					time.Sleep(d)
				}
			}
			_, err := c.Admin.CoreV1().Pods(ns).Create(ctx, neuronPod(ns, fmt.Sprintf("p%04d", i), scheduler,
				burstShapes[i%len(burstShapes)]), metav1.CreateOptions{})
			return err
		})
	}
	if len(o.hold) > 0 {
		err := create()
		for _, p := range o.hold {
			p.Signal(syscall.SIGCONT)
		}
		must(t, err)
		start = time.Now()
	} else {
		go func() {
			if err := create(); err != nil && ctx.Err() == nil {
				t.Errorf("creating pods: %v", err)
			}
		}()
	}
	during := o.during
	bound := map[string]bool{}
	var last time.Time
	timeout := time.After(time.Duration(n)*200*time.Millisecond + 60*time.Second)
	done := during == nil
	for len(bound) < n {
		select {
		case s := <-boundc:
			if !bound[s.name] {
				bound[s.name], last = true, s.at
				if !done {
					done = during(len(bound))
				}
			}
		case <-timeout:
			if list, err := c.Admin.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{}); err == nil {
				var missed []string
				for _, p := range list.Items {
					if p.Spec.NodeName != "" && !bound[p.Name] {
						missed = append(missed, p.Name+"@"+p.Spec.NodeName)
					}
				}
				t.Logf("bound but not seen: %v", missed)
			}
			dumpStates(t, c, ns)
			pending := pendingReasons(t, c, ns)
			t.Fatalf("%d of %d pods bound in %s after %v; pending: %s", len(bound), n, ns, time.Since(start), pending)
		}
	}
	took := last.Sub(start)
	return burstResult{took: took, rate: float64(n) / took.Seconds()}
}

// dumpStates writes every extender's /state and the API server's pods to the run's directory, for the log of a
// failure.
func dumpStates(t *testing.T, c *Cluster, ns string) {
	for _, p := range c.pairs {
		if p.Extender == nil || !p.Extender.Running() {
			continue
		}
		if st, err := p.State(); err == nil {
			data, _ := json.MarshalIndent(st, "", " ")
			_ = os.WriteFile(filepath.Join(c.Env.Out, fmt.Sprintf("state-%s-%d.json", ns, p.Index)), data, 0o644)
		}
	}
	if pods, err := c.Admin.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{}); err == nil {
		data, _ := json.MarshalIndent(pods, "", " ")
		_ = os.WriteFile(filepath.Join(c.Env.Out, fmt.Sprintf("pods-%s.json", ns)), data, 0o644)
	}
	t.Logf("the extenders' states and the pods are in %s", c.Env.Out)
}

// pendingReasons says why some pending pods of ns are pending (their last FailedScheduling events).
func pendingReasons(t *testing.T, c *Cluster, ns string) string {
	list, err := c.Admin.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{
		FieldSelector: fields.Set{"reason": "FailedScheduling"}.AsSelector().String()})
	if err != nil {
		return err.Error()
	}
	seen := map[string]bool{}
	var out []string
	for _, ev := range list.Items {
		if len(out) < 5 && !seen[ev.Message] {
			seen[ev.Message] = true
			out = append(out, fmt.Sprintf("%s: %.300s", ev.InvolvedObject.Name, ev.Message))
		}
	}
	return strings.Join(out, "; ")
}

// servingPair is the pair whose extender kube-scheduler calls (the leader's): the one with filter calls.
func servingPair(t *testing.T, pairs []*Pair) *Pair {
	t.Helper()
	best, most := pairs[0], -1.0
	for _, p := range pairs {
		m := scrape(t, p)
		if n := histCount(m, "ncg_scheduler_request_duration_seconds", "filter"); n > most {
			best, most = p, n
		}
	}
	return best
}

// postBind posts a bind to the pair's extender and returns its error ("" on success).
func postBind(t *testing.T, p *Pair, args *extenderv1.ExtenderBindingArgs) string {
	body, err := json.Marshal(args)
	if err != nil {
		return err.Error()
	}
	resp, err := http.Post(p.ExtenderURL+"/bind", "application/json", bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var r extenderv1.ExtenderBindingResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err.Error()
	}
	return r.Error
}

// metrics is a scrape: the families by name.
type metrics map[string]*dto.MetricFamily

func scrape(t *testing.T, p *Pair) metrics {
	t.Helper()
	return scrapeURL(t, p.MetricsURL+"/metrics")
}

func scrapeURL(t *testing.T, url string) metrics {
	t.Helper()
	resp, err := insecureHTTP().Get(url)
	if err != nil {
		return metrics{}
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(bufio.NewReader(resp.Body))
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return fams
}

func scrapeAll(t *testing.T, pairs []*Pair) []metrics {
	out := make([]metrics, len(pairs))
	for i, p := range pairs {
		out[i] = scrape(t, p)
	}
	return out
}

// hist is a histogram's cumulative bucket counts by upper bound, and its count.
func hist(m metrics, name, verb string) (bounds []float64, counts []float64, total float64) {
	f := m[name]
	if f == nil {
		return nil, nil, 0
	}
	for _, mm := range f.Metric {
		for _, l := range mm.Label {
			if l.GetName() == "verb" && l.GetValue() == verb {
				h := mm.GetHistogram()
				for _, b := range h.Bucket {
					bounds = append(bounds, b.GetUpperBound())
					counts = append(counts, float64(b.GetCumulativeCount()))
				}
				return bounds, counts, float64(h.GetSampleCount())
			}
		}
	}
	return nil, nil, 0
}

func histCount(m metrics, name, verb string) float64 {
	_, _, n := hist(m, name, verb)
	return n
}

// p99Labeled is the 99th percentile of a histogram's series with the labels (summed over its other labels): the
// upper bound of the bucket that holds it, and the count.
func p99Labeled(m metrics, name string, labels map[string]string) (float64, float64) {
	f := m[name]
	if f == nil {
		return 0, 0
	}
	var bounds, counts []float64
	var total float64
	for _, mm := range f.Metric {
		match := 0
		for _, l := range mm.Label {
			if v, ok := labels[l.GetName()]; ok && v == l.GetValue() {
				match++
			}
		}
		if match != len(labels) {
			continue
		}
		h := mm.GetHistogram()
		for i, b := range h.Bucket {
			if i >= len(bounds) {
				bounds, counts = append(bounds, b.GetUpperBound()), append(counts, 0)
			}
			counts[i] += float64(b.GetCumulativeCount())
		}
		total += float64(h.GetSampleCount())
	}
	for i := range bounds {
		if counts[i] >= 0.99*total {
			return bounds[i], total
		}
	}
	return math.Inf(1), total
}

// p99 is the 99th percentile of the calls between two scrapes, read off the histogram: the upper bound of the
// bucket that holds it (+Inf past the last), and the calls counted.
func p99(before, after metrics, name, verb string) (float64, float64) {
	bounds, ca, na := hist(after, name, verb)
	_, cb, nb := hist(before, name, verb)
	n := na - nb
	if n <= 0 {
		return 0, 0
	}
	for i := range bounds {
		c := ca[i]
		if cb != nil {
			c -= cb[i]
		}
		if c >= 0.99*n {
			return bounds[i], n
		}
	}
	return math.Inf(1), n
}

// reportCalls prints the per-call p99 of the extender that served the calls since before, and returns them.
func reportCalls(t *testing.T, res *Results, pairs []*Pair, before []metrics, what string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for i, p := range pairs {
		after := scrape(t, p)
		if histCount(after, "ncg_scheduler_request_duration_seconds", "filter")-
			histCount(before[i], "ncg_scheduler_request_duration_seconds", "filter") == 0 {
			continue
		}
		var parts []string
		for _, k := range []struct{ key, name, verb string }{
			{"filter cpu", "ncg_scheduler_request_cpu_seconds", "filter"},
			{"prioritize cpu", "ncg_scheduler_request_cpu_seconds", "prioritize"},
			{"filter wall", "ncg_scheduler_request_duration_seconds", "filter"},
			{"prioritize wall", "ncg_scheduler_request_duration_seconds", "prioritize"},
			{"bind wall", "ncg_scheduler_request_duration_seconds", "bind"},
		} {
			v, n := p99(before[i], after, k.name, k.verb)
			if n == 0 {
				continue // prioritize, with --filter best
			}
			out[k.key] = max(out[k.key], v)
			parts = append(parts, fmt.Sprintf("%s p99 <= %s (%d calls)", k.key, seconds(v), int(n)))
		}
		res.add(t, "%s, ncg-scheduler-%d: %s", what, p.Index, strings.Join(parts, ", "))
		res.add(t, "%s, ncg-scheduler-%d: bind wall clock, share of calls within: %s", what, p.Index,
			distribution(before[i], after, "ncg_scheduler_request_duration_seconds", "bind"))
	}
	return out
}

// distribution is the share of the calls between two scrapes within each bucket's bound.
func distribution(before, after metrics, name, verb string) string {
	bounds, ca, na := hist(after, name, verb)
	_, cb, nb := hist(before, name, verb)
	var parts []string
	for i, b := range bounds {
		c := ca[i]
		if cb != nil {
			c -= cb[i]
		}
		if b >= 1e-3 && b <= 0.25 {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", seconds(b), 100*c/(na-nb)))
		}
	}
	return strings.Join(parts, ", ")
}

func seconds(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case v < 1e-3:
		return fmt.Sprintf("%.0f µs", v*1e6)
	case v < 1:
		return fmt.Sprintf("%.3g ms", v*1e3)
	default:
		return fmt.Sprintf("%.3g s", v)
	}
}
