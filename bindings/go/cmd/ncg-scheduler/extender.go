package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	jsoniter "github.com/json-iterator/go"
	ncg "github.com/libncg/libncg/bindings/go"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// API is what the extender needs of the Kubernetes API server: a pod to bind (from the informers' cache when
// they have it, else from the API server), its annotations patched, the binding posted.
type API interface {
	// CachedPod is the pod as the informers last saw it, or nil when they have not seen it (or there are none).
	CachedPod(namespace, name string) *corev1.Pod
	// GetPod reads the pod from the API server.
	GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error)
	// PatchPod applies a JSON merge patch (RFC 7386) to a pod.
	PatchPod(ctx context.Context, namespace, name string, patch []byte) error
	// Bind posts the binding (pods/binding); its annotations are merged into the pod's with its node.
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
	// BindTimeout bounds one bind's wait for its pod's turn and its API calls; it is to be shorter than
	// kube-scheduler's httpTimeout, so that a slow bind fails before kube-scheduler gives up and tries again.
	BindTimeout time.Duration
	// VerifyTimeout bounds the read of a pod after its binding failed, which tells what the API server did.
	VerifyTimeout time.Duration
	// FilterBest makes filter keep only the node the library would place the pod on, with the pod's devices or
	// cores reserved there for FilterReservationTTL (its bind then takes them); otherwise filter keeps every
	// node where the pod fits, and prioritize ranks them.
	FilterBest           bool
	FilterReservationTTL time.Duration
	// Limits bound the request bodies.
	Limits *Limits
	ready  atomic.Bool
	binds  keyedMutex // one bind at a time per pod
}

// DefaultBindTimeout is BindTimeout's default: half of kube-scheduler's usual httpTimeout (10 s).
const DefaultBindTimeout = 5 * time.Second

// DefaultFilterReservationTTL is how long a filter's reservation waits for its bind: kube-scheduler binds a pod
// within milliseconds of filtering it, unless a later plugin (volume binding, a permit) holds it back.
const DefaultFilterReservationTTL = 30 * time.Second

// NewExtender makes an extender over a state and an API; it answers nothing but /healthz, /metrics and /state
// until SetReady.
func NewExtender(s *State, api API, log *slog.Logger) *Extender {
	if log == nil {
		log = s.log
	}
	return &Extender{State: s, API: api, Metrics: NewMetrics(s), Log: log, Now: time.Now,
		BindTimeout: DefaultBindTimeout, VerifyTimeout: 2 * time.Second, FilterBest: true,
		FilterReservationTTL: DefaultFilterReservationTTL,
		Limits:               &Limits{MaxBody: DefaultMaxBody, MaxInFlight: DefaultMaxInFlight}}
}

// SetReady says whether the state has been built from the whole cluster (the informers' first lists). Until
// then filter, prioritize and bind answer with an error that kube-scheduler retries: a state without the pods
// would hand out devices and cores that bound pods hold.
func (x *Extender) SetReady(ready bool) { x.ready.Store(ready) }

// errNotReady is the answer of filter, prioritize and bind before the state is built.
const errNotReady = "ncg-scheduler is starting: its state is not built yet from the API server's nodes and pods; retry"

// keyedMutex serializes the holders of one key (a pod), waiting no longer than a context.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	turn  chan struct{} // holds a token while the key is held
	users int           // holders and waiters
}

// lock takes key's turn, or gives up with ctx's error; unlock gives it back.
func (k *keyedMutex) lock(ctx context.Context, key string) (unlock func(), err error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{turn: make(chan struct{}, 1)}
		k.m[key] = e
	}
	e.users++
	k.mu.Unlock()
	done := func() {
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case e.turn <- struct{}{}:
		return func() { <-e.turn; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}

// held is how many keys are held or waited for.
func (k *keyedMutex) held() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// Limits bound what the extender's calls may hold (doc/scheduler.md, "Limits").
type Limits struct {
	// MaxBody bounds one request body. kube-scheduler's largest, ExtenderArgs with full Node objects of
	// 5,000 nodes (without nodeCacheCapable), stay under the default; with node names only they are a few
	// hundred kilobytes.
	MaxBody int64
	// MaxInFlight bounds the bytes of all the bodies being read at once: a body that would pass it is answered
	// 503 at once.
	MaxInFlight int64
	inFlight    atomic.Int64
	lastFree    atomic.Int64 // unix nanoseconds of the last return of memory to the system
}

// The default limits, and the default bound on concurrent connections (--max-connections).
const (
	DefaultMaxBody        = 128 << 20
	DefaultMaxInFlight    = 128 << 20
	DefaultMaxConnections = 512
)

// returnMemory gives the memory the heap no longer uses back to the system, at most once in 10 seconds.
func (l *Limits) returnMemory() {
	now := time.Now().UnixNano()
	last := l.lastFree.Load()
	if now-last < int64(10*time.Second) || !l.lastFree.CompareAndSwap(last, now) {
		return
	}
	go debug.FreeOSMemory()
}

// Handler routes the extender's endpoints.
func (x *Extender) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/filter", x.post("filter", x.filter))
	mux.HandleFunc("/prioritize", x.post("prioritize", x.prioritize))
	mux.HandleFunc("/bind", x.post("bind", x.bind))
	x.handleHealth(mux)
	mux.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, x.State.Snapshot())
	})
	return mux
}

// MetricsHandler serves /metrics, /healthz and /livez alone: what may face the cluster's network.
func (x *Extender) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	x.handleHealth(mux)
	return mux
}

// handleHealth routes /metrics, /healthz (200 once the state is built, 503 before) and /livez (200 while the
// process serves).
func (x *Extender) handleHealth(mux *http.ServeMux) {
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
	mux.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
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
// Filter and prioritize compute, and their CPU time is measured (ncg_scheduler_request_cpu_seconds); bind waits
// for the API server, and only its wall-clock time is.
func (x *Extender) post(verb string, call func(ctx context.Context, body []byte) (any, int)) http.HandlerFunc {
	hist, cpu := x.Metrics.latency.WithLabelValues(verb), x.Metrics.cpu.WithLabelValues(verb)
	onCPU := verb != "bind"
	return func(w http.ResponseWriter, r *http.Request) {
		var c0 time.Duration
		if onCPU {
			// The call stays on one thread, whose CPU clock then counts the call's own work. (A bind, which
			// waits on the network, would hold a thread of its own while it waits.)
			runtime.LockOSThread()
			c0 = threadCPU()
		}
		start := time.Now()
		defer func() {
			hist.Observe(time.Since(start).Seconds())
			if onCPU {
				cpu.Observe((threadCPU() - c0).Seconds())
				runtime.UnlockOSThread()
			}
		}()
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, verb+" takes POST", http.StatusMethodNotAllowed)
			return
		}
		body, done, err := readBody(w, r, x.Limits)
		defer putBody(body)
		defer done()
		switch {
		case errors.Is(err, errTooLarge):
			x.Metrics.failures.WithLabelValues(verb, "size").Inc()
			w.Header().Set("Connection", "close")
			http.Error(w, "reading the body: "+err.Error(), http.StatusRequestEntityTooLarge)
			return
		case errors.Is(err, errBusy):
			x.Metrics.failures.WithLabelValues(verb, "busy").Inc()
			w.Header().Set("Connection", "close")
			http.Error(w, "reading the body: "+err.Error(), http.StatusServiceUnavailable)
			return
		case err != nil:
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
	if !x.ready.Load() {
		x.Metrics.failures.WithLabelValues("filter", "ready").Inc()
		c.err = errNotReady
		return
	}
	names := candidateNames(args)
	w, err := PodWant(args.Pod)
	if err != nil {
		// No node can ever serve it: every node is unresolvable, so that kube-scheduler parks the pod as
		// unschedulable with the reason in its event, instead of retrying it as an error.
		x.Metrics.failures.WithLabelValues("filter", "pod").Inc()
		answer := newScored(ncg.NodeScore{}, true, fmt.Errorf("pod %s/%s: %v", args.Pod.Namespace, args.Pod.Name, err))
		c.out.unresolvable = c.out.unresolvable[:0]
		for _, name := range names {
			c.out.unresolvable = append(c.out.unresolvable, nodeReason{name, string(appendJSONString(nil, name)), answer, -1})
		}
		c.unres = c.sorters[1].sort(c.out.unresolvable, 0)
		c.lists = true
		x.Metrics.nodes.WithLabelValues("unresolvable").Add(float64(len(c.unres)))
		if args.Nodes != nil {
			c.nodes = &corev1.NodeList{}
		} else {
			c.names, c.namesSet = []string{}, true
		}
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
		if x.FilterBest && len(passed) > 0 {
			// The node the library would place the pod on, its devices or cores reserved for the pod at once, so
			// that the filters of the pods that come before its bind see them taken.
			// The other nodes' reasons are left out: kube-scheduler reads them only when no node passes, and
			// decoding hundreds of them per pod costs it more than the whole filter costs here.
			if j, err := x.State.PickAndReserve(args.Pod, w, passed, c.out.passedAnswers, x.FilterReservationTTL); err == nil {
				x.Metrics.nodes.WithLabelValues("passed").Add(float64(len(passed)))
				x.Metrics.nodes.WithLabelValues("failed").Add(float64(len(c.failed)))
				x.Metrics.nodes.WithLabelValues("unresolvable").Add(float64(len(c.unres)))
				x.Metrics.reservations.Inc()
				c.names, c.namesJSON, c.namesSet, c.lists = passed[j:j+1], c.namesJSON[j:j+1], true, true
				c.failed, c.unres = nil, nil
				if args.Nodes != nil {
					c.names, c.namesJSON, c.namesSet = nil, nil, false
					c.nodes = &corev1.NodeList{}
					for i := range args.Nodes.Items {
						if args.Nodes.Items[i].Name == passed[j] {
							c.nodes.Items = append(c.nodes.Items, args.Nodes.Items[i])
							break
						}
					}
				}
				return
			} else {
				x.Log.Warn("filter: reserving on the best node", "pod", args.Pod.Namespace+"/"+args.Pod.Name, "error", err)
			}
		}
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
	if !x.ready.Load() {
		// kube-scheduler leaves out an extender's priorities when the call fails.
		x.Metrics.failures.WithLabelValues("prioritize", "ready").Inc()
		return map[string]string{"error": errNotReady}, http.StatusServiceUnavailable
	}
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

// bindAnnotations are the annotations a reservation gives its pod, posted in the Binding itself: the API server
// merges them into the pod's own in the same write that sets its node, so that a pod is never seen bound
// without them, nor with them and unbound, and only the bind that binds the pod writes them.
func bindAnnotations(res Reservation, now time.Time) map[string]string {
	ann := map[string]string{
		AnnotationIDs:       res.Held.IDs,
		AnnotationAllocTime: strconv.FormatInt(now.UnixNano(), 10),
		AnnotationAllocated: "false",
		AnnotationNode:      res.Node,
	}
	if res.Want.Cores {
		ann[AnnotationResourceType] = string(ResourceNeuronCore)
	}
	return ann
}

// removeResourceTypePatch removes a NEURON_RESOURCE_TYPE that a device request must not carry (a Binding can
// set annotations, not remove them), on the pod version read only: a JSON merge patch with its resourceVersion,
// which the API server refuses when the pod has changed since.
func removeResourceTypePatch(resourceVersion string) []byte {
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"resourceVersion": resourceVersion,
		"annotations": map[string]any{AnnotationResourceType: nil}}})
	return b
}

// definitive says that the API server refused a request: nothing of it was written, and nothing will be.
// Other errors (a timeout, a lost connection) leave the request's fate unknown.
func definitive(err error) bool {
	return apierrors.IsConflict(err) || apierrors.IsNotFound(err) || apierrors.IsInvalid(err) ||
		apierrors.IsBadRequest(err) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) ||
		apierrors.IsTooManyRequests(err) || apierrors.IsMethodNotSupported(err) || apierrors.IsAlreadyExists(err)
}

// Bind allocates the pod's devices or cores on the node and posts the binding, which carries the annotations
// the device plugin reads. Binds of one pod run one at a time. The pod comes from the informers' cache (read
// from the API server when the cache does not have it). When the binding fails, the API server's pod says
// what happened: bound (by this bind after all, or by another), the state takes it as it is; refused, the
// reservation is dropped; unknown (a timeout), the reservation stays until the pod's events, a retry of the
// same pod or --assume-ttl settle it, so that the devices are never handed out twice.
func (x *Extender) Bind(ctx context.Context, args *extenderv1.ExtenderBindingArgs) *extenderv1.ExtenderBindingResult {
	key := args.PodNamespace + "/" + args.PodName
	fail := func(stage string, format string, a ...any) *extenderv1.ExtenderBindingResult {
		x.Metrics.failures.WithLabelValues("bind", stage).Inc()
		msg := fmt.Sprintf("bind %s to %s: ", key, args.Node) + fmt.Sprintf(format, a...)
		x.Log.Warn("bind failed", "pod", key, "node", args.Node, "stage", stage, "error", msg)
		return &extenderv1.ExtenderBindingResult{Error: msg}
	}
	if !x.ready.Load() {
		return fail("ready", "%s", errNotReady)
	}
	if args.PodName == "" || args.Node == "" {
		return fail("decode", "the arguments name no pod or no node")
	}
	ctx, cancel := context.WithTimeout(ctx, x.BindTimeout)
	defer cancel()
	unlock, err := x.binds.lock(ctx, key)
	if err != nil {
		return fail("pod", "waiting for another bind of the pod: %v", err)
	}
	defer unlock()
	pod := x.API.CachedPod(args.PodNamespace, args.PodName)
	if pod == nil || (args.PodUID != "" && pod.UID != args.PodUID) {
		if pod, err = x.API.GetPod(ctx, args.PodNamespace, args.PodName); err != nil {
			return fail("pod", "%v", err)
		}
	}
	if args.PodUID != "" && pod.UID != args.PodUID {
		return fail("pod", "the pod has UID %s, the binding is for UID %s", pod.UID, args.PodUID)
	}
	// (The pod may be the informers' own copy: it is only read.) The informers may not have brought a binding
	// yet; the state knows it from the bind that made it.
	boundTo := pod.Spec.NodeName
	if boundTo == "" {
		boundTo = x.State.BoundNode(pod.UID)
	}
	if boundTo != "" {
		return fail("pod", "the pod is bound to node %s already", boundTo)
	}
	res, err := x.State.Reserve(pod, args.Node)
	if err != nil {
		return fail("reserve", "%v", err)
	}
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: args.Node},
	}
	if res.Want.Count > 0 {
		binding.Annotations = bindAnnotations(res, x.Now())
		if _, has := pod.Annotations[AnnotationResourceType]; has && !res.Want.Cores {
			if err := x.API.PatchPod(ctx, pod.Namespace, pod.Name, removeResourceTypePatch(pod.ResourceVersion)); err != nil {
				x.State.Forget(pod.UID)
				return fail("patch", "removing the pod's %s: %v", AnnotationResourceType, err)
			}
		}
	}
	err = x.API.Bind(ctx, binding)
	if err == nil {
		x.State.SetPod(boundPod(pod, args.Node, binding.Annotations))
		return x.bound(pod, res)
	}
	vctx, vcancel := context.WithTimeout(context.Background(), x.VerifyTimeout)
	defer vcancel()
	now, gerr := x.API.GetPod(vctx, pod.Namespace, pod.Name)
	switch {
	case gerr == nil && now.UID == pod.UID && now.Spec.NodeName != "":
		x.State.SetPod(now) // bound, whoever bound it: the state takes what it holds
		if now.Spec.NodeName == args.Node && (res.Want.Count == 0 || now.Annotations[AnnotationIDs] == res.Held.IDs) {
			return x.bound(pod, res)
		}
		return fail("bind", "posting the binding: %v (the pod is bound to node %s)", err, now.Spec.NodeName)
	case (gerr == nil && (now.UID != pod.UID || definitive(err))) || apierrors.IsNotFound(gerr):
		x.State.Forget(pod.UID)
		return fail("bind", "posting the binding: %v", err)
	default:
		return fail("bind", "posting the binding: %v (its fate is unknown: the devices stay reserved for the pod)", err)
	}
}

// boundPod is pod as a successful binding leaves it: on node, with the binding's annotations.
func boundPod(pod *corev1.Pod, node string, ann map[string]string) *corev1.Pod {
	b := pod.DeepCopy()
	b.Spec.NodeName = node
	if len(ann) > 0 && b.Annotations == nil {
		b.Annotations = make(map[string]string, len(ann))
	}
	for k, v := range ann {
		b.Annotations[k] = v
	}
	return b
}

func (x *Extender) bound(pod *corev1.Pod, res Reservation) *extenderv1.ExtenderBindingResult {
	if res.Want.Count > 0 {
		x.Metrics.allocations.WithLabelValues(string(res.Want.Resource())).Inc()
		x.Log.Debug("bound", "pod", pod.Namespace+"/"+pod.Name, "node", res.Node, "resource", res.Want.Resource(),
			AnnotationIDs, res.Held.IDs)
	}
	return &extenderv1.ExtenderBindingResult{}
}
