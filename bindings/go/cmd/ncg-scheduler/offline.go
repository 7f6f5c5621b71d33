package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
	"sigs.k8s.io/yaml"
)

// ReadList reads the nodes and pods of a v1 List, as `kubectl get nodes,pods -o json` (or -o yaml) writes it.
// A NodeList or PodList is read too. Items of another kind are refused.
func ReadList(data []byte) (nodes []*corev1.Node, pods []*corev1.Pod, err error) {
	var list struct {
		metav1.TypeMeta `json:",inline"`
		Items           []json.RawMessage `json:"items"`
	}
	if err := yaml.Unmarshal(data, &list); err != nil {
		return nil, nil, fmt.Errorf("not a v1 List: %v", err)
	}
	if list.APIVersion != "v1" || (list.Kind != "List" && list.Kind != "NodeList" && list.Kind != "PodList") {
		return nil, nil, fmt.Errorf("not a v1 List: apiVersion %q, kind %q", list.APIVersion, list.Kind)
	}
	for i, raw := range list.Items {
		var tm metav1.TypeMeta
		if err := json.Unmarshal(raw, &tm); err != nil {
			return nil, nil, fmt.Errorf("item %d: %v", i, err)
		}
		kind := tm.Kind
		if kind == "" && list.Kind != "List" {
			kind = strings.TrimSuffix(list.Kind, "List")
		}
		if tm.APIVersion != "" && tm.APIVersion != "v1" {
			return nil, nil, fmt.Errorf("item %d: apiVersion %q, kind %q is neither a v1 Node nor a v1 Pod", i,
				tm.APIVersion, tm.Kind)
		}
		switch kind {
		case "Node":
			n := &corev1.Node{}
			if err := json.Unmarshal(raw, n); err != nil {
				return nil, nil, fmt.Errorf("item %d (Node): %v", i, err)
			}
			if n.Name == "" {
				return nil, nil, fmt.Errorf("item %d: a Node without a name", i)
			}
			nodes = append(nodes, n)
		case "Pod":
			p := &corev1.Pod{}
			if err := json.Unmarshal(raw, p); err != nil {
				return nil, nil, fmt.Errorf("item %d (Pod): %v", i, err)
			}
			if p.Name == "" {
				return nil, nil, fmt.Errorf("item %d: a Pod without a name", i)
			}
			if p.Namespace == "" {
				p.Namespace = metav1.NamespaceDefault
			}
			if p.UID == "" {
				p.UID = types.UID(p.Namespace + "/" + p.Name)
			}
			pods = append(pods, p)
		default:
			return nil, nil, fmt.Errorf("item %d: kind %q is neither Node nor Pod", i, tm.Kind)
		}
	}
	return nodes, pods, nil
}

// Offline is the scheduler without an API server: nodes and pods from a List, kept in client-go's fake
// clientset, whose bindings only record the allocation (the pod's annotations and node in the fake). The state
// is fed after each change instead of by informers.
type Offline struct {
	Client   *fake.Clientset
	Extender *Extender
}

// NewOffline loads the nodes and pods into a fake clientset and the state.
func NewOffline(s *State, nodes []*corev1.Node, pods []*corev1.Pod) (*Offline, error) {
	objs := make([]runtime.Object, 0, len(nodes)+len(pods))
	for _, n := range nodes {
		objs = append(objs, n)
	}
	for _, p := range pods {
		objs = append(objs, p)
	}
	cs := NewFakeClient()
	for _, o := range objs {
		if err := cs.Tracker().Add(o); err != nil {
			m, _ := o.(metav1.Object)
			return nil, fmt.Errorf("%T %s/%s: %v", o, m.GetNamespace(), m.GetName(), err)
		}
	}
	for _, n := range nodes {
		s.SetNode(n)
	}
	for _, p := range pods {
		s.SetPod(p)
	}
	x := NewExtender(s, ClientAPI{Client: cs, OnChange: s.SetPod}, nil)
	x.SetReady(true)
	return &Offline{Client: cs, Extender: x}, nil
}

// List is the fake's nodes and pods as a v1 List, nodes then pods, each by name: the input of another run.
func (o *Offline) List(ctx context.Context) ([]byte, error) {
	nodes, err := o.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	pods, err := o.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	sort.Slice(nodes.Items, func(i, j int) bool { return nodes.Items[i].Name < nodes.Items[j].Name })
	sort.Slice(pods.Items, func(i, j int) bool {
		a, b := &pods.Items[i], &pods.Items[j]
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	list := corev1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}}
	for i := range nodes.Items {
		n := nodes.Items[i]
		n.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}
		list.Items = append(list.Items, runtime.RawExtension{Object: &n})
	}
	for i := range pods.Items {
		p := pods.Items[i]
		p.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
		list.Items = append(list.Items, runtime.RawExtension{Object: &p})
	}
	return json.MarshalIndent(&list, "", "  ")
}

// ReplayResult is what happened to one replayed pod.
type ReplayResult struct {
	Pod    string // namespace/name
	Node   string // "" when unschedulable
	IDs    string // AWS_NEURON_IDS
	Reason string // why no node would take it, node by node
}

// Replay schedules pods one after the other as kube-scheduler would with this extender: each pod is created,
// then filter, prioritize (the node with the highest priority, the first by name on a tie) and bind go
// through the extender's HTTP handler with the extender types. Pods must not be bound already.
func (o *Offline) Replay(ctx context.Context, pods []*corev1.Pod) ([]ReplayResult, error) {
	nodes, err := o.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(nodes.Items))
	for i := range nodes.Items {
		names[i] = nodes.Items[i].Name
	}
	sort.Strings(names)
	h := o.Extender.Handler()
	base := time.Now()
	out := make([]ReplayResult, 0, len(pods))
	for i, p := range pods {
		key := p.Namespace + "/" + p.Name
		if p.Spec.NodeName != "" {
			return out, fmt.Errorf("pod %s is bound to %s already: put it in the state", key, p.Spec.NodeName)
		}
		pod := p.DeepCopy()
		if pod.CreationTimestamp.IsZero() {
			pod.CreationTimestamp = metav1.NewTime(base.Add(time.Duration(i) * time.Millisecond))
		}
		if _, err := o.Client.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return out, fmt.Errorf("pod %s: %v", key, err)
		}
		cand := append([]string(nil), names...)
		args := extenderv1.ExtenderArgs{Pod: pod, NodeNames: &cand}
		var fr extenderv1.ExtenderFilterResult
		if err := call(h, "/filter", &args, &fr); err != nil {
			return out, fmt.Errorf("pod %s: filter: %v", key, err)
		}
		if fr.Error != "" {
			return out, fmt.Errorf("pod %s: filter: %s", key, fr.Error)
		}
		res := ReplayResult{Pod: key}
		if fr.NodeNames == nil || len(*fr.NodeNames) == 0 {
			res.Reason = failureText(fr.FailedNodes, fr.FailedAndUnresolvableNodes)
			out = append(out, res)
			continue
		}
		args.NodeNames = fr.NodeNames
		var prio extenderv1.HostPriorityList
		if err := call(h, "/prioritize", &args, &prio); err != nil {
			return out, fmt.Errorf("pod %s: prioritize: %v", key, err)
		}
		best := bestHost(prio)
		var br extenderv1.ExtenderBindingResult
		bargs := extenderv1.ExtenderBindingArgs{PodName: pod.Name, PodNamespace: pod.Namespace, PodUID: pod.UID, Node: best}
		if err := call(h, "/bind", &bargs, &br); err != nil {
			return out, fmt.Errorf("pod %s: bind: %v", key, err)
		}
		if br.Error != "" {
			return out, fmt.Errorf("pod %s: %s", key, br.Error)
		}
		bound, err := o.Client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return out, fmt.Errorf("pod %s: %v", key, err)
		}
		res.Node, res.IDs = bound.Spec.NodeName, bound.Annotations[AnnotationIDs]
		out = append(out, res)
	}
	return out, nil
}

// bestHost is the host of the highest priority, the first by name among equals.
func bestHost(list extenderv1.HostPriorityList) string {
	best := -1
	for i, h := range list {
		if best < 0 || h.Score > list[best].Score || (h.Score == list[best].Score && h.Host < list[best].Host) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return list[best].Host
}

// failureText joins the failures of a filter, node by node, in name order.
func failureText(maps ...extenderv1.FailedNodesMap) string {
	all := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			all[k] = v
		}
	}
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + all[n]
	}
	if len(parts) == 0 {
		return "no candidate nodes"
	}
	return strings.Join(parts, "; ")
}

// call posts in as JSON to the handler and decodes its answer into out.
func call(h http.Handler, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	return json.Unmarshal(rec.Body.Bytes(), out)
}
