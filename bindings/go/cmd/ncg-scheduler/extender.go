package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	jsoniter "github.com/json-iterator/go"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// API is what the extender needs of the Kubernetes API server: a pod to bind, its annotations patched, the
// binding posted.
type API interface {
	GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error)
	// PatchPod applies a JSON merge patch (RFC 7386) to a pod.
	PatchPod(ctx context.Context, namespace, name string, patch []byte) error
	Bind(ctx context.Context, binding *corev1.Binding) error
}

// Extender answers kube-scheduler's extender calls over HTTP: POST /filter, /prioritize and /bind with the
// types of k8s.io/kube-scheduler/extender/v1, GET /metrics, /healthz and /state.
type Extender struct {
	State   *State
	API     API
	Metrics *Metrics
	Log     *slog.Logger
	Now     func() time.Time
	// BindTimeout bounds the API calls of one bind.
	BindTimeout time.Duration
	ready       atomic.Bool
}

// NewExtender makes an extender over a state and an API; it is not ready (/healthz) until SetReady.
func NewExtender(s *State, api API, log *slog.Logger) *Extender {
	if log == nil {
		log = s.log
	}
	return &Extender{State: s, API: api, Metrics: NewMetrics(s), Log: log, Now: time.Now, BindTimeout: 30 * time.Second}
}

// SetReady says whether the state has been built from the whole cluster (the informers' first lists).
func (x *Extender) SetReady(ready bool) { x.ready.Store(ready) }

// maxBody bounds a request body: ExtenderArgs with 5,000 full Node objects stay well under it.
const maxBody = 256 << 20

// Handler routes the extender's endpoints.
func (x *Extender) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/filter", x.post("filter", x.filter))
	mux.HandleFunc("/prioritize", x.post("prioritize", x.prioritize))
	mux.HandleFunc("/bind", x.post("bind", x.bind))
	mux.Handle("/metrics", promhttp.HandlerFor(x.Metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !x.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "state not built yet\n")
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, x.State.Snapshot())
	})
	return mux
}

// wire encodes and decodes the extender calls: json-iterator as encoding/json does it (the same JSON, the
// types' own MarshalJSON and UnmarshalJSON honoured), faster, without sorting map keys or escaping HTML. The
// filter answer, which carries a reason per failing node, is written by hand instead, with encoding/json's
// bytes (wire.go).
var wire = jsoniter.Config{ValidateJsonRawMessage: true}.Froze()

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = wire.NewEncoder(w).Encode(v)
}

// post decodes the body of a POST into the verb's argument type, times the call and writes its result.
func (x *Extender) post(verb string, call func(ctx context.Context, body []byte) (any, int)) http.HandlerFunc {
	hist := x.Metrics.latency.WithLabelValues(verb)
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() { hist.Observe(time.Since(start).Seconds()) }()
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, verb+" takes POST", http.StatusMethodNotAllowed)
			return
		}
		body, err := readBody(w, r)
		defer putBody(body)
		if err != nil {
			x.Metrics.failures.WithLabelValues(verb, "decode").Inc()
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		out, code := call(r.Context(), body.Bytes())
		if a, ok := out.(*filterCall); ok {
			writeAppended(w, code, a)
			a.release()
			return
		}
		writeJSON(w, code, out)
	}
}

// filterArgs answers one filter call in c, whose args are decoded: the ExtenderFilterResult of the call.
func (x *Extender) filterArgs(c *filterCall, args *extenderv1.ExtenderArgs) {
	if args.Pod == nil {
		x.Metrics.failures.WithLabelValues("filter", "decode").Inc()
		c.err = "filter: the arguments carry no pod"
		return
	}
	names := candidateNames(args)
	w, err := PodWant(args.Pod)
	if err != nil {
		x.Metrics.failures.WithLabelValues("filter", "pod").Inc()
		c.err = fmt.Sprintf("pod %s/%s: %v", args.Pod.Namespace, args.Pod.Name, err)
		return
	}
	passed := names
	if w.Count > 0 {
		if c.out.passed == nil {
			c.out.passed = make([]string, 0, len(names))
		}
		x.State.filterInto(w, names, &c.out)
		passed, c.namesJSON = c.out.passed, c.out.passedJSON
		c.failed, c.unres = c.sorters[0].sort(c.out.failed, c.out.ranks), c.sorters[1].sort(c.out.unresolvable, c.out.ranks)
	}
	c.lists = true
	x.Metrics.nodes.WithLabelValues("passed").Add(float64(len(passed)))
	x.Metrics.nodes.WithLabelValues("failed").Add(float64(len(c.failed)))
	x.Metrics.nodes.WithLabelValues("unresolvable").Add(float64(len(c.unres)))
	if args.Nodes != nil {
		keep := make(map[string]bool, len(passed))
		for _, n := range passed {
			keep[n] = true
		}
		list := &corev1.NodeList{}
		for i := range args.Nodes.Items {
			if keep[args.Nodes.Items[i].Name] {
				list.Items = append(list.Items, args.Nodes.Items[i])
			}
		}
		c.nodes = list
	} else {
		c.names, c.namesSet = passed, true
	}
}

// candidateNames are the nodes of a call: NodeNames when kube-scheduler sends names only (nodeCacheCapable),
// else the names of Nodes.
func candidateNames(args *extenderv1.ExtenderArgs) []string {
	if args.NodeNames != nil {
		return *args.NodeNames
	}
	if args.Nodes == nil {
		return nil
	}
	names := make([]string, len(args.Nodes.Items))
	for i := range args.Nodes.Items {
		names[i] = args.Nodes.Items[i].Name
	}
	return names
}

// filter answers a filter call with a filterCall of filterCalls, which post gives back once it has written it.
func (x *Extender) filter(_ context.Context, body []byte) (any, int) {
	c := filterCalls.Get().(*filterCall)
	args, err := decodeArgs(body, &c.args)
	if err != nil {
		x.Metrics.failures.WithLabelValues("filter", "decode").Inc()
		c.err = "filter: decoding ExtenderArgs: " + err.Error()
		return c, http.StatusBadRequest
	}
	x.filterArgs(c, &args)
	return c, http.StatusOK
}

// Prioritize answers one prioritize call. kube-scheduler has no error field in the answer: a pod it cannot
// read gives every node 0 (and the call fails with 400 only when the body cannot be decoded).
func (x *Extender) Prioritize(args *extenderv1.ExtenderArgs) *extenderv1.HostPriorityList {
	names := candidateNames(args)
	if args.Pod == nil {
		x.Metrics.failures.WithLabelValues("prioritize", "decode").Inc()
		out := make(extenderv1.HostPriorityList, len(names))
		for i, n := range names {
			out[i].Host = n
		}
		return &out
	}
	out, err := x.State.Prioritize(args.Pod, names)
	if err != nil {
		x.Metrics.failures.WithLabelValues("prioritize", "pod").Inc()
		x.Log.Warn("prioritize", "pod", args.Pod.Namespace+"/"+args.Pod.Name, "error", err)
		out = make(extenderv1.HostPriorityList, len(names))
		for i, n := range names {
			out[i].Host = n
		}
	}
	return &out
}

func (x *Extender) prioritize(_ context.Context, body []byte) (any, int) {
	var a extenderArgs
	args, err := decodeArgs(body, &a)
	if err != nil {
		x.Metrics.failures.WithLabelValues("prioritize", "decode").Inc()
		return map[string]string{"error": "prioritize: decoding ExtenderArgs: " + err.Error()}, http.StatusBadRequest
	}
	return x.Prioritize(&args), http.StatusOK
}

func (x *Extender) bind(ctx context.Context, body []byte) (any, int) {
	var args extenderv1.ExtenderBindingArgs
	if err := wire.Unmarshal(body, &args); err != nil {
		x.Metrics.failures.WithLabelValues("bind", "decode").Inc()
		return &extenderv1.ExtenderBindingResult{Error: "bind: decoding ExtenderBindingArgs: " + err.Error()}, http.StatusBadRequest
	}
	return x.Bind(ctx, &args), http.StatusOK
}

// annotationPatch is the JSON merge patch of the annotations a reservation gives its pod: only those keys,
// so the pod's other annotations stay as they are. A device reservation removes a NEURON_RESOURCE_TYPE that an
// earlier core reservation of the same pod may have left.
func annotationPatch(res Reservation, now time.Time) []byte {
	ann := map[string]any{
		AnnotationIDs:       res.Held.IDs,
		AnnotationAllocTime: strconv.FormatInt(now.UnixNano(), 10),
		AnnotationAllocated: "false",
		AnnotationNode:      res.Node,
	}
	if res.Want.Cores {
		ann[AnnotationResourceType] = string(ResourceNeuronCore)
	} else {
		ann[AnnotationResourceType] = nil
	}
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": ann}})
	return b
}

// revertPatch removes the annotations of annotationPatch (a bind that failed after the patch).
func revertPatch() []byte {
	ann := map[string]any{AnnotationIDs: nil, AnnotationAllocTime: nil, AnnotationAllocated: nil, AnnotationNode: nil,
		AnnotationResourceType: nil}
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": ann}})
	return b
}

// Bind allocates the pod's devices or cores on the node, writes the annotations the device plugin reads (a
// merge patch), then posts the binding. On a failure the allocation is released and the annotations removed.
func (x *Extender) Bind(ctx context.Context, args *extenderv1.ExtenderBindingArgs) *extenderv1.ExtenderBindingResult {
	fail := func(stage string, format string, a ...any) *extenderv1.ExtenderBindingResult {
		x.Metrics.failures.WithLabelValues("bind", stage).Inc()
		msg := fmt.Sprintf("bind %s/%s to %s: ", args.PodNamespace, args.PodName, args.Node) + fmt.Sprintf(format, a...)
		x.Log.Warn("bind failed", "pod", args.PodNamespace+"/"+args.PodName, "node", args.Node, "stage", stage,
			"error", msg)
		return &extenderv1.ExtenderBindingResult{Error: msg}
	}
	if args.PodName == "" || args.Node == "" {
		return fail("decode", "the arguments name no pod or no node")
	}
	ctx, cancel := context.WithTimeout(ctx, x.BindTimeout)
	defer cancel()
	pod, err := x.API.GetPod(ctx, args.PodNamespace, args.PodName)
	if err != nil {
		return fail("pod", "%v", err)
	}
	if args.PodUID != "" && pod.UID != args.PodUID {
		return fail("pod", "the pod has UID %s, the binding is for UID %s", pod.UID, args.PodUID)
	}
	if pod.Spec.NodeName != "" {
		return fail("pod", "the pod is bound to node %s already", pod.Spec.NodeName)
	}
	res, err := x.State.Reserve(pod, args.Node)
	if err != nil {
		return fail("reserve", "%v", err)
	}
	if res.Want.Count > 0 {
		if err := x.API.PatchPod(ctx, pod.Namespace, pod.Name, annotationPatch(res, x.Now())); err != nil {
			x.State.Forget(pod.UID)
			return fail("patch", "writing the annotations: %v", err)
		}
	}
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: args.Node},
	}
	if err := x.API.Bind(ctx, binding); err != nil {
		// A binding that timed out may have been made all the same: then the pod keeps what it holds.
		if now, gerr := x.API.GetPod(ctx, pod.Namespace, pod.Name); gerr == nil && now.UID == pod.UID &&
			now.Spec.NodeName == args.Node {
			return x.bound(pod, res)
		}
		x.State.Forget(pod.UID)
		if res.Want.Count > 0 {
			if rerr := x.API.PatchPod(ctx, pod.Namespace, pod.Name, revertPatch()); rerr != nil {
				x.Log.Warn("removing the annotations of a failed bind", "pod", pod.Namespace+"/"+pod.Name, "error", rerr)
			}
		}
		return fail("bind", "posting the binding: %v", err)
	}
	return x.bound(pod, res)
}

func (x *Extender) bound(pod *corev1.Pod, res Reservation) *extenderv1.ExtenderBindingResult {
	if res.Want.Count > 0 {
		x.Metrics.allocations.WithLabelValues(string(res.Want.Resource())).Inc()
		x.Log.Info("bound", "pod", pod.Namespace+"/"+pod.Name, "node", res.Node, "resource", res.Want.Resource(),
			AnnotationIDs, res.Held.IDs)
	}
	return &extenderv1.ExtenderBindingResult{}
}
