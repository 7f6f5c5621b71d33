package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// offlineFromTestdata is the offline scheduler over testdata/state.json: two inf1.6xlarge nodes (ip-10-0-0-1
// holds devices 0,1 and cores 8,9; ip-10-0-0-2 is free, its pod has succeeded), a trn1.32xlarge (beta label),
// an m5.large and a node without a type label.
func offlineFromTestdata(t testing.TB) *Offline {
	t.Helper()
	nodes, pods := must2(ReadList(readFile(t, "testdata/state.json")))
	return must(NewOffline(newTestState(t), nodes, pods))
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return a, b
}

func rawPost(t testing.TB, h http.Handler, path string, body []byte) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
	return rec.Code, rec.Body.Bytes()
}

// TestFilterRecorded posts a filter call as kube-scheduler sends it (nodeCacheCapable: node names only), with
// --filter all; and with --filter best: the one node, no reasons.
func TestFilterRecorded(t *testing.T) {
	off := offlineFromTestdata(t)
	off.Extender.FilterBest = false
	code, body := rawPost(t, off.Extender.Handler(), "/filter", readFile(t, "testdata/filter-args.json"))
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	got := decode[extenderv1.ExtenderFilterResult](t, body)
	want := decode[extenderv1.ExtenderFilterResult](t, readFile(t, "testdata/filter-result.json"))
	wantEqual(t, "filter result", got, want)
	off.Extender.FilterBest = true
	_, body = rawPost(t, off.Extender.Handler(), "/filter", readFile(t, "testdata/filter-args.json"))
	wantEqual(t, "filter result, best", decode[extenderv1.ExtenderFilterResult](t, body), extenderv1.ExtenderFilterResult{
		NodeNames: &[]string{"ip-10-0-0-2"}, FailedNodes: extenderv1.FailedNodesMap{},
		FailedAndUnresolvableNodes: extenderv1.FailedNodesMap{}})
}

// TestFilterNodeObjects is the same call without nodeCacheCapable: full Node objects in, the passing ones out.
func TestFilterNodeObjects(t *testing.T) {
	off := offlineFromTestdata(t)
	off.Extender.FilterBest = false
	args := decode[extenderv1.ExtenderArgs](t, readFile(t, "testdata/filter-args.json"))
	list := &corev1.NodeList{}
	for _, n := range *args.NodeNames {
		list.Items = append(list.Items, *mkNode(n, ""))
	}
	args.Nodes, args.NodeNames = list, nil
	code, body := post(t, off.Extender.Handler(), "/filter", &args)
	res := decode[extenderv1.ExtenderFilterResult](t, body)
	if code != http.StatusOK || res.NodeNames != nil || res.Nodes == nil || len(res.Nodes.Items) != 1 ||
		res.Nodes.Items[0].Name != "ip-10-0-0-2" || len(res.FailedNodes) != 2 || len(res.FailedAndUnresolvableNodes) != 3 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
}

func TestFilterEdgeCases(t *testing.T) {
	off := offlineFromTestdata(t)
	h := off.Extender.Handler()
	names := []string{"ip-10-0-0-1", "bare"}
	// A pod that asks for no Neuron resource passes everywhere.
	code, body := post(t, h, "/filter", &extenderv1.ExtenderArgs{Pod: mkPod("web", false, 0, 0), NodeNames: &names})
	wantEqual(t, "no Neuron", decode[extenderv1.ExtenderFilterResult](t, body), extenderv1.ExtenderFilterResult{
		NodeNames: &names, FailedNodes: extenderv1.FailedNodesMap{}, FailedAndUnresolvableNodes: extenderv1.FailedNodesMap{}})
	if code != http.StatusOK {
		t.Fatal(code)
	}
	// A pod that asks for both kinds, or under both names of devices, or for a fraction: no node can ever serve
	// it, every node says why, so that kube-scheduler parks it as unschedulable.
	both := mkPod("both", false, 1, 0)
	both.Spec.Containers = append(both.Spec.Containers, mkPod("x", true, 2, 0).Spec.Containers[0])
	twoNames := mkPod("two-names", false, 1, 0)
	twoNames.Spec.Containers[0].Resources.Limits[ResourceNeuronDevice] = resource.MustParse("2")
	half := mkPod("half", false, 1, 0)
	half.Spec.Containers[0].Resources.Limits[ResourceNeuron] = resource.MustParse("500m")
	for _, c := range []struct {
		pod    *corev1.Pod
		reason string
	}{
		{both, "pod ml/both: pod asks for both aws.amazon.com/neuron (1) and aws.amazon.com/neuroncore (2); ask for one"},
		{twoNames, "pod ml/two-names: pod asks for both aws.amazon.com/neuron (1) and aws.amazon.com/neurondevice (2); ask for one"},
		{half, "pod ml/half: container c: aws.amazon.com/neuron 500m is not a whole number >= 0"},
	} {
		_, body = post(t, h, "/filter", &extenderv1.ExtenderArgs{Pod: c.pod, NodeNames: &names})
		wantEqual(t, c.pod.Name, decode[extenderv1.ExtenderFilterResult](t, body), extenderv1.ExtenderFilterResult{
			NodeNames: &[]string{}, FailedNodes: extenderv1.FailedNodesMap{},
			FailedAndUnresolvableNodes: extenderv1.FailedNodesMap{"ip-10-0-0-1": c.reason, "bare": c.reason}})
	}
	// Before the state is built: an error, which kube-scheduler retries; prioritize fails (kube-scheduler then
	// leaves the extender's priorities out), bind refuses.
	off.Extender.SetReady(false)
	_, body = post(t, h, "/filter", &extenderv1.ExtenderArgs{Pod: mkPod("p", false, 1, 0), NodeNames: &names})
	wantEqual(t, "not ready", decode[extenderv1.ExtenderFilterResult](t, body), extenderv1.ExtenderFilterResult{Error: errNotReady})
	if code, body := post(t, h, "/prioritize", &extenderv1.ExtenderArgs{Pod: mkPod("p", false, 1, 0), NodeNames: &names}); code != http.StatusServiceUnavailable ||
		!strings.Contains(string(body), errNotReady) {
		t.Fatal(code, string(body))
	}
	_, body = post(t, h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: "p", PodNamespace: "ml", Node: "ip-10-0-0-1"})
	if res := decode[extenderv1.ExtenderBindingResult](t, body); res.Error != "bind ml/p to ip-10-0-0-1: "+errNotReady {
		t.Fatal(res.Error)
	}
	off.Extender.SetReady(true)
	_, body = post(t, h, "/filter", &extenderv1.ExtenderArgs{NodeNames: &names})
	if res := decode[extenderv1.ExtenderFilterResult](t, body); res.Error != "filter: the arguments carry no pod" {
		t.Fatal(res.Error)
	}
	code, body = rawPost(t, h, "/filter", []byte(`{"Pod": 3}`))
	if res := decode[extenderv1.ExtenderFilterResult](t, body); code != http.StatusBadRequest ||
		res.Error != "filter: decoding ExtenderArgs: v1.ExtenderArgs.Pod: readObjectStart: expect { or n, but found 3, error found in #9 byte of ...|{\"Pod\": 3}|..., bigger context ...|{\"Pod\": 3}|..." {
		t.Fatal(code, res.Error)
	}
	code, body = rawPost(t, h, "/prioritize", []byte(`[`))
	if code != http.StatusBadRequest || !strings.Contains(string(body), "prioritize: decoding ExtenderArgs") {
		t.Fatal(code, string(body))
	}
	code, body = rawPost(t, h, "/bind", []byte(`{"Node": 1}`))
	if res := decode[extenderv1.ExtenderBindingResult](t, body); code != http.StatusBadRequest ||
		!strings.HasPrefix(res.Error, "bind: decoding ExtenderBindingArgs") {
		t.Fatal(code, res.Error)
	}
	if code, _ := get(t, h, "/filter"); code != http.StatusMethodNotAllowed {
		t.Fatal(code)
	}
	// Prioritize of a pod asking for nothing, or unreadable: every node 0.
	_, body = post(t, h, "/prioritize", &extenderv1.ExtenderArgs{Pod: both, NodeNames: &names})
	wantEqual(t, "prioritize both", decode[extenderv1.HostPriorityList](t, body),
		extenderv1.HostPriorityList{{Host: "ip-10-0-0-1"}, {Host: "bare"}})
	_, body = post(t, h, "/prioritize", &extenderv1.ExtenderArgs{NodeNames: &names})
	wantEqual(t, "prioritize no pod", decode[extenderv1.HostPriorityList](t, body),
		extenderv1.HostPriorityList{{Host: "ip-10-0-0-1"}, {Host: "bare"}})
	_, body = post(t, h, "/prioritize", &extenderv1.ExtenderArgs{Pod: mkPod("web", false, 0, 0), NodeNames: &names})
	wantEqual(t, "prioritize no Neuron", decode[extenderv1.HostPriorityList](t, body),
		extenderv1.HostPriorityList{{Host: "ip-10-0-0-1"}, {Host: "bare"}})
}

// TestPrioritizeRecorded: the library's score ranks ip-10-0-0-1 first for one device (it leaves no free window
// there, 3 devices on the empty inf1.6xlarge, 15 on the trn1.32xlarge).
func TestPrioritizeRecorded(t *testing.T) {
	off := offlineFromTestdata(t)
	code, body := rawPost(t, off.Extender.Handler(), "/prioritize", readFile(t, "testdata/prioritize-args.json"))
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	wantEqual(t, "priorities", decode[extenderv1.HostPriorityList](t, body),
		decode[extenderv1.HostPriorityList](t, readFile(t, "testdata/prioritize-result.json")))
}

// TestPrioritizeTies: equal scores on different nodes get the same priority; more than ten levels bottom out at 0.
func TestPrioritizeTies(t *testing.T) {
	s := newTestState(t)
	var names []string
	for i := 0; i < 14; i++ {
		name := "n" + strconv.Itoa(i)
		names = append(names, name)
		s.SetNode(mkNode(name, "inf1.24xlarge"))
		// Node i holds i devices (from device 0), so a 1-device pod leaves 15-i devices in its largest window.
		if i > 0 {
			s.SetPod(bound(mkPod("p"+name, false, int64(i), i), name, FormatIDs(0, i)))
		}
	}
	s.SetNode(mkNode("twin", "inf1.24xlarge"))
	s.SetPod(bound(mkPod("ptwin", false, 13, 20), "twin", FormatIDs(0, 13)))
	names = append(names, "twin")
	list, err := s.Prioritize(mkPod("q", false, 1, 30), names)
	if err != nil {
		t.Fatal(err)
	}
	want := extenderv1.HostPriorityList{}
	for i := 0; i < 14; i++ {
		want = append(want, extenderv1.HostPriority{Host: names[i], Score: max(0, int64(i)-3)})
	}
	want = append(want, extenderv1.HostPriority{Host: "twin", Score: 10})
	wantEqual(t, "priorities", list, want)
}

// fakeCluster is client-go's fake clientset holding testdata/state.json and the pods given, an informer-fed
// state and an extender over both, ready.
func fakeCluster(t *testing.T, extra ...*corev1.Pod) (*Extender, *State, *fakeClientset) {
	t.Helper()
	nodes, pods := must2(ReadList(readFile(t, "testdata/state.json")))
	var objs []runtime.Object
	for _, n := range nodes {
		objs = append(objs, n)
	}
	for _, p := range append(pods, extra...) {
		objs = append(objs, p)
	}
	cs := NewFakeClient(objs...)
	s := newTestState(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	lister, synced := Watch(ctx, cs, s)
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	waitWatching(t, cs)
	x := NewExtender(s, ClientAPI{Client: cs, Pods: lister}, nil)
	x.Now = func() time.Time { return time.Unix(1793600000, 123456789) }
	x.SetReady(true)
	cs.ClearActions()
	return x, s, cs
}

// waitWatching waits until the informers watch pods and nodes: the fake only tells watchers of later changes.
func waitWatching(t testing.TB, cs *fakeClientset) {
	t.Helper()
	waitFor(t, func() bool {
		var pods, nodes bool
		for _, a := range cs.Actions() {
			if a.GetVerb() == "watch" {
				pods = pods || a.GetResource().Resource == "pods"
				nodes = nodes || a.GetResource().Resource == "nodes"
			}
		}
		return pods && nodes
	}, func() string { return "the informers never watched" })
}

func podHolding(s *State, node string) []PodSnapshot {
	for _, n := range s.Snapshot() {
		if n.Name == node {
			return n.Pods
		}
	}
	return nil
}

func nodeSnap(s *State, node string) NodeSnapshot {
	for _, n := range s.Snapshot() {
		if n.Name == node {
			return n
		}
	}
	return NodeSnapshot{}
}

// TestBindFakeClientset binds through the fake clientset: the annotations posted in the binding and merged
// into the pod's (its own "team" annotation kept), no patch, the state holding the pod at once.
func TestBindFakeClientset(t *testing.T) {
	args := decode[extenderv1.ExtenderArgs](t, readFile(t, "testdata/filter-args.json"))
	cores := mkPod("small", true, 3, 0)
	plain := mkPod("web-1", false, 0, 0)
	x, s, cs := fakeCluster(t, args.Pod, cores, plain)
	h := x.Handler()
	code, body := rawPost(t, h, "/bind", readFile(t, "testdata/bind-args.json"))
	if res := decode[extenderv1.ExtenderBindingResult](t, body); code != http.StatusOK || res.Error != "" {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	var patches []k8stesting.PatchAction
	var bindings []*corev1.Binding
	for _, a := range cs.Actions() {
		switch a := a.(type) {
		case k8stesting.PatchAction:
			patches = append(patches, a)
		case k8stesting.CreateAction:
			if a.GetSubresource() == "binding" {
				bindings = append(bindings, a.GetObject().(*corev1.Binding))
			}
		}
	}
	if len(patches) != 0 {
		t.Fatalf("patches: %+v", patches)
	}
	wantEqual(t, "bindings", bindings, []*corev1.Binding{{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ml", Name: "gpt-0", UID: "u-gpt-0", Annotations: map[string]string{
			AnnotationIDs: "0,1", AnnotationAllocated: "false", AnnotationAllocTime: "1793600000123456789",
			AnnotationNode: "ip-10-0-0-2"}},
		Target: corev1.ObjectReference{Kind: "Node", Name: "ip-10-0-0-2"}}})
	// The state holds the pod from the bind's own answer, before any informer event.
	if ps := podHolding(s, "ip-10-0-0-2"); !equalJSON(ps, []PodSnapshot{{Pod: "ml/gpt-0", Resource: "aws.amazon.com/neuron", IDs: "0,1"}}) {
		t.Fatal(toJSON(ps))
	}
	pod := must(cs.CoreV1().Pods("ml").Get(context.Background(), "gpt-0", metav1.GetOptions{}))
	wantEqual(t, "annotations", pod.Annotations, map[string]string{"team": "nlp", AnnotationIDs: "0,1",
		AnnotationAllocated: "false", AnnotationAllocTime: "1793600000123456789", AnnotationNode: "ip-10-0-0-2"})
	if pod.Spec.NodeName != "ip-10-0-0-2" {
		t.Fatal(pod.Spec.NodeName)
	}
	// The informer brings the bound pod back: the reservation becomes the pod's holding.
	want := []PodSnapshot{{Pod: "ml/gpt-0", Resource: "aws.amazon.com/neuron", IDs: "0,1"}}
	waitFor(t, func() bool { return equalJSON(podHolding(s, "ip-10-0-0-2"), want) },
		func() string { return toJSON(podHolding(s, "ip-10-0-0-2")) })
	if n := nodeSnap(s, "ip-10-0-0-2"); !equalJSON(n.FreeDevices, []int{2, 3}) || n.LargestWindow != 2 || n.FreeCores != 8 {
		t.Fatalf("%+v", n)
	}

	// Bound already: refused, nothing written.
	cs.ClearActions()
	_, body = rawPost(t, h, "/bind", readFile(t, "testdata/bind-args.json"))
	if res := decode[extenderv1.ExtenderBindingResult](t, body); res.Error != "bind ml/gpt-0 to ip-10-0-0-2: the pod is bound to node ip-10-0-0-2 already" {
		t.Fatal(res.Error)
	}
	// Cores: the range of the longest free run that touches the fewest free devices, NEURON_RESOURCE_TYPE set.
	_, body = post(t, h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: "small", PodNamespace: "ml", PodUID: cores.UID, Node: "ip-10-0-0-1"})
	if res := decode[extenderv1.ExtenderBindingResult](t, body); res.Error != "" {
		t.Fatal(res.Error)
	}
	pod = must(cs.CoreV1().Pods("ml").Get(context.Background(), "small", metav1.GetOptions{}))
	if pod.Annotations[AnnotationIDs] != "10,11,12" || pod.Annotations[AnnotationResourceType] != "aws.amazon.com/neuroncore" ||
		pod.Spec.NodeName != "ip-10-0-0-1" {
		t.Fatalf("%+v %s", pod.Annotations, pod.Spec.NodeName)
	}
	// A pod that asks for no Neuron resource is only bound.
	cs.ClearActions()
	_, body = post(t, h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: "web-1", PodNamespace: "ml", PodUID: plain.UID, Node: "ip-10-0-2-1"})
	if res := decode[extenderv1.ExtenderBindingResult](t, body); res.Error != "" {
		t.Fatal(res.Error)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "patch" {
			t.Fatalf("patched a pod that asks for no Neuron resource: %+v", a)
		}
	}
	// Deleting the pod frees its devices at once (at its informer event).
	if err := cs.CoreV1().Pods("ml").Delete(context.Background(), "gpt-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(podHolding(s, "ip-10-0-0-2")) == 0 },
		func() string { return toJSON(nodeSnap(s, "ip-10-0-0-2")) })
	if n := nodeSnap(s, "ip-10-0-0-2"); !equalJSON(n.FreeDevices, []int{0, 1, 2, 3}) || n.LargestWindow != 4 {
		t.Fatalf("%+v", n)
	}
}

func TestBindFailures(t *testing.T) {
	big := mkPod("big", false, 3, 0)
	fails := mkPod("fails", false, 2, 0)
	x, s, cs := fakeCluster(t, big, fails)
	h := x.Handler()
	bindErr := func(a extenderv1.ExtenderBindingArgs) string {
		_, body := post(t, h, "/bind", &a)
		return decode[extenderv1.ExtenderBindingResult](t, body).Error
	}
	// The library refuses: no patch, no binding.
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodName: "big", PodNamespace: "ml", PodUID: big.UID, Node: "ip-10-0-0-1"}); e != "bind ml/big to ip-10-0-0-1: no free window of 3 chips on inf1.6xlarge: free chips 3, largest free window 1" {
		t.Fatal(e)
	}
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodName: "big", PodNamespace: "ml", PodUID: "other", Node: "ip-10-0-0-2"}); e != "bind ml/big to ip-10-0-0-2: the pod has UID uid-big, the binding is for UID other" {
		t.Fatal(e)
	}
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodName: "nope", PodNamespace: "ml", Node: "ip-10-0-0-2"}); e != `bind ml/nope to ip-10-0-0-2: pods "nope" not found` {
		t.Fatal(e)
	}
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodName: "big", PodNamespace: "ml", Node: "ip-10-0-2-1"}); e != "bind ml/big to ip-10-0-2-1: instance type m5.large of node ip-10-0-2-1 has no Neuron devices" {
		t.Fatal(e)
	}
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodNamespace: "ml", Node: "ip-10-0-2-1"}); e != "bind ml/ to ip-10-0-2-1: the arguments name no pod or no node" {
		t.Fatal(e)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "patch" || (a.GetVerb() == "create" && a.GetSubresource() == "binding") {
			t.Fatalf("a refused bind wrote: %+v", a)
		}
	}
	// The binding fails and the pod is still unbound, for a reason that leaves its fate unknown: the devices
	// stay reserved for the pod (a retry moves them, --assume-ttl drops them).
	var bindErrs []error
	cs.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() == "binding" && len(bindErrs) > 0 {
			err := bindErrs[0]
			bindErrs = bindErrs[1:]
			return true, nil, err
		}
		return false, nil, nil
	})
	bindErrs = []error{errors.New("etcd is down")}
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodName: "fails", PodNamespace: "ml", PodUID: fails.UID, Node: "ip-10-0-0-2"}); e != "bind ml/fails to ip-10-0-0-2: posting the binding: etcd is down (its fate is unknown: the devices stay reserved for the pod)" {
		t.Fatal(e)
	}
	pod := must(cs.CoreV1().Pods("ml").Get(context.Background(), "fails", metav1.GetOptions{}))
	if len(pod.Annotations) != 0 || pod.Spec.NodeName != "" {
		t.Fatalf("%+v", pod)
	}
	if n := nodeSnap(s, "ip-10-0-0-2"); !equalJSON(n.Pods, []PodSnapshot{{Pod: "ml/fails", Resource: "aws.amazon.com/neuron", IDs: "0,1", Reserved: true}}) {
		t.Fatalf("%+v", n)
	}
	// The API server refuses it (a conflict): nothing was written, the reservation is dropped.
	bindErrs = []error{apierrors.NewConflict(schema.GroupResource{Resource: "pods"}, "fails", errors.New("the object has been modified"))}
	if e := bindErr(extenderv1.ExtenderBindingArgs{PodName: "fails", PodNamespace: "ml", PodUID: fails.UID, Node: "ip-10-0-0-2"}); e != `bind ml/fails to ip-10-0-0-2: posting the binding: Operation cannot be fulfilled on pods "fails": the object has been modified` {
		t.Fatal(e)
	}
	if n := nodeSnap(s, "ip-10-0-0-2"); len(n.Pods) != 0 || n.LargestWindow != 4 {
		t.Fatalf("%+v", n)
	}
	_, metrics := get(t, h, "/metrics")
	for _, l := range []string{`ncg_scheduler_failures_total{stage="bind",verb="bind"} 2`,
		`ncg_scheduler_failures_total{stage="reserve",verb="bind"} 2`, `ncg_scheduler_failures_total{stage="pod",verb="bind"} 2`,
		`ncg_scheduler_failures_total{stage="decode",verb="bind"} 1`} {
		if !strings.Contains(metrics, l+"\n") {
			t.Errorf("no %q in\n%s", l, lines(metrics, "ncg_scheduler_failures"))
		}
	}
}

func TestMetricsAndHealth(t *testing.T) {
	off := offlineFromTestdata(t)
	h := off.Extender.Handler()
	off.Extender.SetReady(false)
	if code, body := get(t, h, "/healthz"); code != http.StatusServiceUnavailable || body != "state not built yet\n" {
		t.Fatal(code, body)
	}
	off.Extender.SetReady(true)
	if code, body := get(t, h, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatal(code, body)
	}
	args := decode[extenderv1.ExtenderArgs](t, readFile(t, "testdata/filter-args.json"))
	must(off.Client.CoreV1().Pods("ml").Create(context.Background(), args.Pod, metav1.CreateOptions{}))
	rawPost(t, h, "/filter", readFile(t, "testdata/filter-args.json"))
	if code, body := rawPost(t, h, "/bind", readFile(t, "testdata/bind-args.json")); code != http.StatusOK ||
		decode[extenderv1.ExtenderBindingResult](t, body).Error != "" {
		t.Fatal(code, string(body))
	}
	code, text := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatal(code)
	}
	want := []string{
		`ncg_scheduler_allocations_total{resource="aws.amazon.com/neuron"} 1`,
		`ncg_scheduler_request_duration_seconds_count{verb="filter"} 1`,
		`ncg_scheduler_request_duration_seconds_count{verb="bind"} 1`,
		`ncg_scheduler_filter_nodes_total{result="passed"} 1`,
		`ncg_scheduler_filter_nodes_total{result="failed"} 2`,
		`ncg_scheduler_filter_nodes_total{result="unresolvable"} 3`,
		`ncg_scheduler_nodes{instance_type="inf1.6xlarge"} 2`,
		`ncg_scheduler_nodes{instance_type="trn1.32xlarge"} 1`,
		`ncg_scheduler_devices{instance_type="inf1.6xlarge"} 8`,
		`ncg_scheduler_free_devices{instance_type="inf1.6xlarge"} 3`,
		`ncg_scheduler_cores{instance_type="trn1.32xlarge"} 32`,
		`ncg_scheduler_free_cores{instance_type="inf1.6xlarge"} 14`,
		`ncg_scheduler_allocations{instance_type="inf1.6xlarge"} 3`,
		`ncg_scheduler_fragmentation_ratio{instance_type="inf1.6xlarge"} 0`,
		`ncg_scheduler_reservations 0`,
		`ncg_scheduler_pods_without_ids 0`,
		`ncg_scheduler_blocked_nodes 0`,
		`ncg_scheduler_conflicts 0`,
	}
	for _, l := range want {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("no %q in\n%s", l, lines(text, "ncg_scheduler"))
		}
	}
	if Fragmentation(5, 3) != 0.4 || Fragmentation(0, 0) != 0 {
		t.Error(Fragmentation(5, 3))
	}
	code, st := get(t, h, "/state")
	snap := decode[[]NodeSnapshot](t, []byte(st))
	if code != http.StatusOK || len(snap) != 5 || snap[0].Name != "bare" || snap[1].Name != "ip-10-0-0-1" ||
		len(snap[1].Pods) != 2 || snap[1].Pods[0].Pod != "ml/resnet-0" || snap[1].Pods[1].IDs != "8,9" {
		t.Fatal(st)
	}
}

// TestStateEvents: reservations kept until the pod is seen bound, expired when it never is, conflicts
// between overlapping annotations, pods bound elsewhere without annotations, node churn.
func TestStateEvents(t *testing.T) {
	s := newTestState(t)
	now := time.Unix(1000, 0)
	s.now = func() time.Time { return now }
	s.SetNode(mkNode("a", "inf2.24xlarge")) // 6 devices in a ring, 2 cores each
	p := mkPod("p", false, 2, 1)
	res, err := s.Reserve(p, "a")
	if err != nil || res.Held.IDs != "0,1" {
		t.Fatal(res, err)
	}
	if again, err := s.Reserve(p, "a"); err != nil || again != res {
		t.Fatal(again, err) // a bind retried gets the same devices
	}
	// The annotations arrive before the binding: still a reservation.
	annotated := p.DeepCopy()
	annotated.Annotations = map[string]string{AnnotationIDs: "0,1", AnnotationNode: "a"}
	s.SetPod(annotated)
	if ps := podHolding(s, "a"); len(ps) != 1 || !ps[0].Reserved || s.Totals().reserved != 1 {
		t.Fatal(ps)
	}
	s.SetPod(bound(p, "a", "0,1"))
	if ps := podHolding(s, "a"); len(ps) != 1 || ps[0].Reserved || ps[0].IDs != "0,1" {
		t.Fatal(ps)
	}
	if _, err := s.Reserve(p, "a"); err == nil || err.Error() != "pod ml/p is bound to node a already" {
		t.Fatal(err)
	}
	// A reservation whose pod never comes back bound expires.
	q := mkPod("q", true, 4, 2)
	if res, err := s.Reserve(q, "a"); err != nil || res.Held.IDs != "4,5,6,7" {
		t.Fatal(res, err)
	}
	now = now.Add(59 * time.Second)
	if n := s.ExpireReservations(); n != 0 {
		t.Fatal(n)
	}
	now = now.Add(2 * time.Second)
	if n := s.ExpireReservations(); n != 1 || len(podHolding(s, "a")) != 1 {
		t.Fatal(n, podHolding(s, "a"))
	}
	// Forget drops a reservation, and leaves a bound pod alone.
	if _, err := s.Reserve(q, "a"); err != nil {
		t.Fatal(err)
	}
	s.Forget(q.UID)
	s.Forget(p.UID)
	if ps := podHolding(s, "a"); len(ps) != 1 || ps[0].Pod != "ml/p" {
		t.Fatal(ps)
	}
	// An older pod's devices win over a younger pod's overlapping annotations.
	s.SetPod(bound(mkPod("old", false, 2, 0), "a", "1,2"))
	n := nodeSnap(s, "a")
	if len(n.Pods) != 2 || n.Pods[0].Pod != "ml/old" || len(n.Conflicts) != 1 ||
		!strings.HasPrefix(n.Conflicts[0], "pod ml/p: AWS_NEURON_IDS=0,1: ") || s.Totals().conflicts != 1 {
		t.Fatalf("%+v", n)
	}
	s.DeletePod("uid-old")
	if n := nodeSnap(s, "a"); len(n.Pods) != 1 || len(n.Conflicts) != 0 || !equalJSON(n.FreeDevices, []int{2, 3, 4, 5}) {
		t.Fatalf("%+v", n)
	}
	// Malformed annotations, and Neuron pods bound without any (another scheduler): what they hold is unknown,
	// so the node hands out nothing until they end, and says so.
	bad := bound(mkPod("bad", false, 2, 5), "a", "4,9")
	s.SetPod(bad)
	other := mkPod("other", true, 3, 6)
	other.Spec.NodeName = "a"
	s.SetPod(other)
	if tt := s.Totals(); tt.malformed != 1 || tt.withoutIDs != 1 || tt.blocked != 1 ||
		tt.types["inf2.24xlarge"].freeDevices != 0 || tt.types["inf2.24xlarge"].freeCores != 8-4-3 {
		t.Fatalf("%+v %+v", tt, tt.types["inf2.24xlarge"])
	}
	const blocked = "node a: pods hold Neuron resources that ncg-scheduler cannot see: ml/bad (annotation " +
		`AWS_NEURON_IDS="4,9": AWS_NEURON_VISIBLE_DEVICES "4,9" is not contiguous: 9 follows 4), ` +
		"ml/other (3 aws.amazon.com/neuroncore without " +
		"AWS_NEURON_IDS); none of the node's devices or cores is handed out until they end"
	n = nodeSnap(s, "a")
	if n.Blocked != blocked || n.FreeDevices != nil || n.LargestWindow != 0 || n.FreeCores != 1 ||
		!equalJSON(n.Unknown, []PodSnapshot{{Pod: "ml/bad", Resource: "aws.amazon.com/neuron", Count: 2,
			Error: `annotation AWS_NEURON_IDS="4,9": AWS_NEURON_VISIBLE_DEVICES "4,9" is not contiguous: 9 follows 4`},
			{Pod: "ml/other", Resource: "aws.amazon.com/neuroncore", Count: 3}}) {
		t.Fatalf("%s", toJSON(n))
	}
	if _, _, err := s.scoreLocked("a", Want{Count: 1}); err == nil || err.Error() != blocked {
		t.Fatal(err)
	}
	if _, never, err := s.scoreLocked("a", Want{Count: 7}); !never || err == nil || strings.Contains(err.Error(), "cannot see") {
		t.Fatal(err) // a request the type refuses stays unresolvable
	}
	if _, err := s.Reserve(mkPod("r", false, 1, 9), "a"); err == nil || err.Error() != blocked {
		t.Fatal(err)
	}
	s.DeletePod(bad.UID)
	s.DeletePod(other.UID)
	if n := nodeSnap(s, "a"); n.Blocked != "" || !equalJSON(n.FreeDevices, []int{2, 3, 4, 5}) {
		t.Fatalf("%+v", n)
	}
	// The node goes and comes back with another type: its pods are adopted again on the new type.
	s.DeleteNode("a")
	if _, _, err := s.scoreLocked("a", Want{Count: 1}); err == nil || err.Error() != "node a is not known to ncg-scheduler yet" {
		t.Fatal(err)
	}
	s.SetNode(mkNode("a", "inf2.48xlarge"))
	if n := nodeSnap(s, "a"); n.Devices != 12 || len(n.Pods) != 1 || n.LargestWindow != 10 {
		t.Fatalf("%+v", n)
	}
	s.SetNode(mkNode("a", "m5.large"))
	if n := nodeSnap(s, "a"); n.Reason != "instance type m5.large of node a has no Neuron devices" || n.Devices != 0 {
		t.Fatalf("%+v", n)
	}
}
