package main

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ncg "github.com/libncg/libncg/bindings/go"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// State is the scheduler's picture of the Neuron nodes: a library cluster with one node group per instance type
// and one node per Kubernetes node, whose allocations are rebuilt from the pods that hold devices or cores
// (bound, not finished, with AWS_NEURON_IDS) every time one of them changes, plus the reservations of binds
// whose pods have not come back bound yet. A node where a pod holds Neuron resources that the state cannot see
// (no AWS_NEURON_IDS, or unreadable ones) is blocked: it hands out nothing until that pod ends. Safe for
// concurrent use.
type State struct {
	mu        sync.RWMutex
	cat       *ncg.Catalog
	cluster   *ncg.Cluster
	policy    ncg.Policy
	log       *slog.Logger
	now       func() time.Time
	assumeTTL time.Duration

	groups  map[string]bool                   // node groups (instance types) in the cluster
	nodes   map[string]*nodeInfo              // every node seen
	byName  []*nodeInfo                       // the same, by name (strings.Compare); nodeInfo.rank is the index
	nodeGen uint64                            // counts the changes of nodes: a nodeInfo added or removed
	holders map[string]map[types.UID]*podInfo // pods holding or reserving on each node name, known node or not
	unknown map[string]map[types.UID]*podInfo // pods holding what the state cannot see, by node name
	pods    map[types.UID]*podInfo            // every pod seen

	// states holds the answers of each node state (nodeInfo.key) seen: the library's answer for a state and a
	// want is a pure function of the two, so an answer never goes stale; a node that changes moves to the
	// answers of its new state. Emptied when it holds more than maxStates states (nodes keep theirs).
	states map[string]*answers
}

// maxStates bounds State.states.
const maxStates = 50000

// answers are the library's answers for one node state, by want; filters fill it under the state's read lock.
// The list is read without a lock (a state has a few wants: a filter over 1,000 nodes reads it 1,000 times)
// and replaced, under mu, by a copy with one more answer.
type answers struct {
	mu   sync.Mutex
	list atomic.Pointer[[]wantAnswer]
}

type wantAnswer struct {
	w  Want
	sc *scored
}

// maxWants bounds the answers kept for one state: past it, the list starts again from the newest.
const maxWants = 64

// find is the answer kept for w, or nil.
func (a *answers) find(w Want) *scored {
	if l := a.list.Load(); l != nil {
		for i := range *l {
			if (*l)[i].w == w {
				return (*l)[i].sc
			}
		}
	}
	return nil
}

// add keeps sc as the answer for w.
func (a *answers) add(w Want, sc *scored) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var l []wantAnswer
	if old := a.list.Load(); old != nil && len(*old) < maxWants {
		l = make([]wantAnswer, len(*old), len(*old)+1)
		copy(l, *old)
	}
	l = append(l, wantAnswer{w, sc})
	a.list.Store(&l)
}

type scored struct {
	score  ncg.NodeScore // the terms; its node identity is that of the node it was computed on
	never  bool
	err    error
	reason string // err's message, the filter answer's reason
	// reason as a JSON string, the filter answer's bytes
	reasonJSON string
}

// newScored is the answer of a score and its error.
func newScored(score ncg.NodeScore, never bool, err error) *scored {
	sc := &scored{score: score, never: never, err: err}
	if err != nil {
		sc.reason = err.Error()
		sc.reasonJSON = string(appendJSONString(nil, sc.reason))
	}
	return sc
}

type nodeInfo struct {
	name       string
	typ        string
	group      string             // its node group in the library's cluster: the type, with ".lnc1" or ".lnc2"
	reason     string             // why the node is not in the library's cluster; "" when it is
	ids        []uint64           // the library's allocations on it now
	held       []Held             // what they hold, in the same order
	key        string             // the node's type and held, sorted: nodes of equal keys are in the same state
	answers    *answers           // the library's answers for that state, shared by the nodes in it
	unfit      *scored            // the answer to every want when reason is set
	blocked    *scored            // the answer to every want while pods hold devices or cores the state cannot see
	nameJSON   string             // name as a JSON string
	rank       int                // index in State.byName
	conflicts  []string           // holders that could not be adopted, with the library's reason
	conflicted map[types.UID]bool // those holders
}

type podInfo struct {
	uid        types.UID
	key        string // namespace/name
	created    time.Time
	node       string // the node it holds or reserves on (holds), or holds what the state cannot see on (unknown)
	bound      string // the node the API server has it bound to ("" while not seen bound): never changes once set
	held       Held
	holds      bool
	reserved   bool          // held by a filter or a bind whose pod has not been seen bound yet
	reservedAt time.Time     // when
	ttl        time.Duration // how long the reservation waits for the pod to be seen bound
	// unknown: bound, not finished, asks for Neuron resources, but what it holds cannot be read: it carries no
	// AWS_NEURON_IDS (placed by another scheduler) or malformed ones (then malformed says why)
	unknown   bool
	want      Want // what it asks for, when unknown
	malformed string
}

// NewState makes an empty state over the catalog's Neuron types. policy chooses the devices or cores within
// the node that prioritize ranked (doc/scheduler.md); assumeTTL is how long a bind's reservation is kept when
// its pod is never seen bound.
func NewState(cat *ncg.Catalog, policy ncg.Policy, assumeTTL time.Duration, log *slog.Logger) (*State, error) {
	cl, err := ncg.NewCluster()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	return &State{cat: cat, cluster: cl, policy: policy, log: log, now: time.Now, assumeTTL: assumeTTL,
		groups: map[string]bool{}, nodes: map[string]*nodeInfo{}, holders: map[string]map[types.UID]*podInfo{},
		unknown: map[string]map[types.UID]*podInfo{}, pods: map[types.UID]*podInfo{}, states: map[string]*answers{}}, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Close frees the library's cluster.
func (s *State) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cluster.Close()
}

// SetNode records a node that was added or changed. A node of a Neuron type of the catalog joins the cluster
// (its node group is its instance type, and its Logical NeuronCore setting when LabelLNC gives one); any other
// node is kept with the reason it cannot hold Neuron pods.
func (s *State) SetNode(node *corev1.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, typ := node.Name, NodeType(node)
	lnc, lncErr := NodeLNC(node)
	group := typ
	if lnc > 0 {
		group = fmt.Sprintf("%s.lnc%d", typ, lnc)
	}
	if lncErr != nil {
		group = "!" + node.Labels[LabelLNC] // no node group; a new bad value is a change of its reason
	}
	if n := s.nodes[name]; n != nil {
		if n.typ == typ && n.group == group {
			return
		}
		s.removeLocked(n)
	}
	n := &nodeInfo{name: name, typ: typ, group: group, nameJSON: string(appendJSONString(nil, name))}
	s.nodes[name] = n
	i, _ := slices.BinarySearchFunc(s.byName, name, func(m *nodeInfo, name string) int { return strings.Compare(m.name, name) })
	s.byName = slices.Insert(s.byName, i, n)
	s.rerankLocked(i)
	s.nodeGen++
	if lncErr != nil {
		n.reason = fmt.Sprintf("node %s: %v", name, lncErr)
	} else {
		n.reason = s.addLocked(name, typ, group, lnc)
	}
	if n.reason != "" {
		n.unfit = newScored(ncg.NodeScore{}, true, errNodeReason(n.reason))
		s.log.Info("node cannot hold Neuron pods", "node", name, "reason", n.reason)
		return
	}
	s.rebuildLocked(name)
}

// addLocked adds the node to the library's cluster, in node group group (of typ at Logical NeuronCore setting
// lnc, 0: the type's), or says why it cannot be.
func (s *State) addLocked(name, typ, group string, lnc int) string {
	if typ == "" {
		return fmt.Sprintf("node %s has no %s label", name, LabelInstanceType)
	}
	t, _, err := s.cat.FindType(typ)
	if err != nil || t.Chips == 0 {
		return fmt.Sprintf("instance type %s of node %s has no Neuron devices", typ, name)
	}
	if !s.groups[group] {
		spec := ncg.NodeGroupSpec{Name: group, Type: typ, MaxNodes: 1000000, LNC: lnc}
		if _, err := s.cluster.AddNodeGroup(s.cat, spec); err != nil {
			if lnc > 0 {
				return fmt.Sprintf("node %s: label %s=\"%d\": %v", name, LabelLNC, lnc, err)
			}
			return fmt.Sprintf("node group of instance type %s: %v", typ, err)
		}
		if err := s.cluster.SetPolicy(group, s.policy); err != nil {
			return fmt.Sprintf("node group of instance type %s: %v", typ, err)
		}
		s.groups[group] = true
	}
	if _, err := s.cluster.AddNode(name, group); err != nil {
		return fmt.Sprintf("node %s: %v", name, err)
	}
	return ""
}

func (s *State) removeLocked(n *nodeInfo) {
	if n.reason == "" {
		if err := s.cluster.RemoveNode(n.name); err != nil {
			s.log.Error("removing a node from the cluster", "node", n.name, "error", err)
		}
	}
	delete(s.nodes, n.name)
	s.byName = slices.Delete(s.byName, n.rank, n.rank+1)
	s.rerankLocked(n.rank)
	s.nodeGen++
}

// rerankLocked sets the ranks of byName from index i on.
func (s *State) rerankLocked(i int) {
	for ; i < len(s.byName); i++ {
		s.byName[i].rank = i
	}
}

// DeleteNode forgets a node; pods still bound to it hold nothing until it comes back.
func (s *State) DeleteNode(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.nodes[name]; n != nil {
		s.removeLocked(n)
	}
}

// SetPod records a pod that was added or changed, and rebuilds the nodes whose holders changed. A pod's node
// never changes once it is bound: an event that shows a pod unbound after the state saw it bound (an older
// version, from the informers after the bind's own answer) is ignored.
func (s *State) SetPod(pod *corev1.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.pods[pod.UID]
	if old != nil && old.bound != "" && pod.Spec.NodeName == "" {
		return
	}
	p := &podInfo{uid: pod.UID, key: pod.Namespace + "/" + pod.Name, created: pod.CreationTimestamp.Time,
		bound: pod.Spec.NodeName}
	held, ok, err := PodHeld(pod)
	finished := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
	switch {
	case ok:
		p.holds, p.node, p.held = true, pod.Spec.NodeName, held
	case err != nil:
		p.malformed = err.Error()
	case old != nil && old.reserved && pod.Spec.NodeName == "" && !finished && pod.DeletionTimestamp == nil:
		// A bind in flight: keep the reservation until the pod is seen bound.
		p.holds, p.node, p.held, p.reserved, p.reservedAt, p.ttl = true, old.node, old.held, true, old.reservedAt, old.ttl
	}
	if !p.holds && pod.Spec.NodeName != "" && !finished {
		if w, err := PodWant(pod); err == nil && w.Count > 0 {
			p.unknown, p.node, p.want = true, pod.Spec.NodeName, w
		} else if p.malformed != "" {
			// Unreadable ids of a pod whose request is unreadable too: it may hold anything of the node.
			p.unknown, p.node, p.want = true, pod.Spec.NodeName, Want{}
		}
		if p.unknown && (old == nil || !old.unknown) {
			if p.malformed != "" {
				s.log.Warn("pod holds Neuron resources whose ids cannot be read: its node hands out none until it ends",
					"pod", p.key, "node", p.node, "error", p.malformed)
			} else {
				s.log.Warn("pod holds Neuron resources without "+AnnotationIDs+" (placed by another scheduler): its node "+
					"hands out none until it ends", "pod", p.key, "node", p.node, "resource", p.want.Resource(),
					"count", p.want.Count)
			}
		}
	}
	s.pods[pod.UID] = p
	s.movePodLocked(old, p)
}

// DeletePod forgets a pod: what it held is free at once.
func (s *State) DeletePod(uid types.UID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.pods[uid]; old != nil {
		delete(s.pods, uid)
		s.movePodLocked(old, nil)
	}
}

// movePodLocked replaces old by p (nil: gone) among the holders and rebuilds the nodes concerned.
func (s *State) movePodLocked(old, p *podInfo) {
	var rebuild []string
	add := func(name string) {
		if !slices.Contains(rebuild, name) {
			rebuild = append(rebuild, name)
		}
	}
	if old != nil && old.unknown {
		setDelete(s.unknown, old.node, old.uid)
		add(old.node)
	}
	if p != nil && p.unknown {
		setAdd(s.unknown, p.node, p)
		add(p.node)
	}
	sameHolding := old != nil && p != nil && old.holds && p.holds && old.node == p.node && old.held == p.held
	if old != nil && old.holds {
		setDelete(s.holders, old.node, old.uid)
		if !sameHolding {
			add(old.node)
		}
	}
	if p != nil && p.holds {
		setAdd(s.holders, p.node, p)
		if !sameHolding {
			add(p.node)
		}
	}
	// Same holding (a reservation confirmed, a status change): the library's node is already right, since the
	// node's allocation records point to the pods only through ids, which do not change.
	for _, name := range rebuild {
		s.rebuildLocked(name)
	}
}

// setAdd and setDelete keep a set of pods per node name.
func setAdd(m map[string]map[types.UID]*podInfo, node string, p *podInfo) {
	if m[node] == nil {
		m[node] = map[types.UID]*podInfo{}
	}
	m[node][p.uid] = p
}

func setDelete(m map[string]map[types.UID]*podInfo, node string, uid types.UID) {
	delete(m[node], uid)
	if len(m[node]) == 0 {
		delete(m, node)
	}
}

// rebuildLocked releases every allocation of a node and adopts its holders again, oldest pod first (then by
// namespace/name), so the same pods always give the same state, whatever the order of the events that brought
// them. A holder that overlaps an earlier one, or whose ids do not fit the node, is recorded as a conflict.
func (s *State) rebuildLocked(name string) {
	n := s.nodes[name]
	if n == nil || n.reason != "" {
		return
	}
	for _, id := range n.ids {
		if err := s.cluster.Release(name, id); err != nil {
			s.log.Error("releasing an allocation", "node", name, "id", id, "error", err)
		}
	}
	n.ids, n.held, n.conflicts, n.conflicted = n.ids[:0], n.held[:0], nil, nil
	for _, p := range sortedHolders(s.holders[name]) {
		var err error
		var a ncg.Alloc
		if p.held.Cores {
			a, err = s.cluster.Adopt(name, nil, "", []string{p.held.IDs})
		} else {
			a, err = s.cluster.Adopt(name, nil, p.held.IDs, nil)
		}
		if err != nil {
			msg := fmt.Sprintf("pod %s: %s=%s: %v", p.key, AnnotationIDs, p.held.IDs, err)
			n.conflicts = append(n.conflicts, msg)
			if n.conflicted == nil {
				n.conflicted = map[types.UID]bool{}
			}
			n.conflicted[p.uid] = true
			s.log.Warn("allocation not adopted", "node", name, "pod", p.key, "ids", p.held.IDs, "error", err)
			continue
		}
		n.ids = append(n.ids, a.ID)
		n.held = append(n.held, p.held)
	}
	s.rekeyLocked(n)
	s.blockLocked(n)
}

// blockLocked sets whether the node is blocked by pods holding what the state cannot see, and why.
func (s *State) blockLocked(n *nodeInfo) {
	unknown := sortedHolders(s.unknown[n.name])
	if len(unknown) == 0 {
		n.blocked = nil
		return
	}
	parts := make([]string, 0, 3)
	for i, p := range unknown {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(unknown)-3))
			break
		}
		switch {
		case p.malformed != "":
			parts = append(parts, fmt.Sprintf("%s (%s)", p.key, p.malformed))
		default:
			parts = append(parts, fmt.Sprintf("%s (%d %s without %s)", p.key, p.want.Count, p.want.Resource(), AnnotationIDs))
		}
	}
	n.blocked = newScored(ncg.NodeScore{}, false, fmt.Errorf("node %s: pods hold Neuron resources that ncg-scheduler "+
		"cannot see: %s; none of the node's devices or cores is handed out until they end", n.name,
		strings.Join(parts, ", ")))
}

// rekeyLocked sets the node's key from its type and what its allocations hold.
func (s *State) rekeyLocked(n *nodeInfo) {
	parts := make([]string, len(n.held))
	for i, h := range n.held {
		kind := "d"
		if h.Cores {
			kind = "c"
		}
		parts[i] = kind + strconv.Itoa(h.First) + "+" + strconv.Itoa(h.Count)
	}
	sort.Strings(parts)
	n.key = n.group + "|" + strings.Join(parts, ",")
	if n.answers = s.states[n.key]; n.answers == nil {
		if len(s.states) >= maxStates {
			s.states = map[string]*answers{}
		}
		n.answers = &answers{}
		s.states[n.key] = n.answers
	}
}

func sortedHolders(m map[types.UID]*podInfo) []*podInfo {
	list := make([]*podInfo, 0, len(m))
	for _, p := range m {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.uid < b.uid
	})
	return list
}

// ExpireReservations drops the reservations older than the TTL whose pods were never seen bound (a binding
// lost, or the scheduler's own events lost), and returns how many it dropped.
func (s *State) ExpireReservations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, n := s.now(), 0
	for _, p := range s.pods {
		if p.reserved && now.Sub(p.reservedAt) > p.ttl {
			q := *p
			q.holds, q.reserved = false, false
			s.pods[p.uid] = &q
			s.movePodLocked(p, &q)
			s.log.Warn("reservation expired: the pod was never seen bound", "pod", p.key, "node", p.node)
			n++
		}
	}
	return n
}

// errNodeReason is a node that can never hold Neuron pods (not a Neuron type, no type label).
type errNodeReason string

func (e errNodeReason) Error() string { return string(e) }

// scoreLocked scores the want on a node: the library's score, or why it does not fit. unresolvable says that
// no change of the node's pods would make it fit (the node's type, or a node the scheduler does not know).
// The score's terms are the node's; its identity (index, node group, order added) may be that of another node
// in the same state, whose answer the cache gave: callers only compare terms.
func (s *State) scoreLocked(name string, w Want) (score ncg.NodeScore, unresolvable bool, err error) {
	a := s.answerLocked(name, w)
	return a.score, a.never, a.err
}

// answerLocked is scoreLocked's answer, with the error's message. The answer is shared: not to be changed.
func (s *State) answerLocked(name string, w Want) *scored {
	n := s.nodes[name]
	if n == nil {
		return newScored(ncg.NodeScore{}, false, fmt.Errorf("node %s is not known to ncg-scheduler yet", name))
	}
	return s.nodeAnswerLocked(n, w)
}

// nodeAnswerLocked is the answer of a known node: kept, or asked of the library and kept.
func (s *State) nodeAnswerLocked(n *nodeInfo, w Want) *scored {
	if n.reason != "" {
		return n.unfit
	}
	w = w.key()
	if sc := n.answers.find(w); sc != nil {
		if n.blocked != nil && !sc.never {
			return n.blocked
		}
		return sc
	}
	score, err := s.cluster.ScoreNode(n.name, w.Request())
	sc := newScored(score, err != nil && !errors.Is(err, ncg.ErrFull), err)
	n.answers.add(w, sc)
	if n.blocked != nil && !sc.never {
		return n.blocked
	}
	return sc
}

// Filter keeps the nodes where a valid window of the pod's devices or cores is free now, and gives every other
// node the library's reason. A pod that asks for no Neuron resource passes everywhere.
func (s *State) Filter(pod *corev1.Pod, names []string) (passed []string, failed, unresolvable extenderv1.FailedNodesMap, err error) {
	w, err := PodWant(pod)
	if err != nil {
		return nil, nil, nil, err
	}
	if w.Count == 0 {
		return names, extenderv1.FailedNodesMap{}, extenderv1.FailedNodesMap{}, nil
	}
	failed, unresolvable = make(extenderv1.FailedNodesMap, len(names)/2), extenderv1.FailedNodesMap{}
	passed = make([]string, 0, len(names))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, name := range names {
		switch a := s.answerLocked(name, w); {
		case a.err == nil:
			passed = append(passed, name)
		case a.never:
			unresolvable[name] = a.reason
		default:
			failed[name] = a.reason
		}
	}
	return passed, failed, unresolvable, nil
}

// filterInto is Filter of a want that asks for something, appending to out instead of filling maps: the nodes
// that pass in the order given, the others with their reasons in the order given (the HTTP handler's way).
func (s *State) filterInto(w Want, names []string, out *filterOut) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := &out.memo
	if m.state != s || m.gen != s.nodeGen {
		m.state, m.gen, m.names, m.nodes = s, s.nodeGen, m.names[:0], m.nodes[:0]
	}
	for i, name := range names {
		var n *nodeInfo
		if i < len(m.names) && m.names[i] == name {
			n = m.nodes[i]
		} else {
			n = s.nodes[name]
			if i < len(m.names) {
				m.names[i], m.nodes[i] = name, n
			} else if i == len(m.names) {
				m.names, m.nodes = append(m.names, name), append(m.nodes, n)
			}
		}
		if n == nil {
			a := s.answerLocked(name, w)
			out.failed = append(out.failed, nodeReason{name, string(appendJSONString(nil, name)), a, -1})
			continue
		}
		a := s.nodeAnswerLocked(n, w)
		switch {
		case a.err == nil:
			out.passed = append(out.passed, name)
			out.passedJSON = append(out.passedJSON, n.nameJSON)
			out.passedAnswers = append(out.passedAnswers, a)
		case a.never:
			out.unresolvable = append(out.unresolvable, nodeReason{name, n.nameJSON, a, n.rank})
		default:
			out.failed = append(out.failed, nodeReason{name, n.nameJSON, a, n.rank})
		}
	}
	out.ranks = len(s.byName)
}

// Prioritize ranks the nodes by the library's score, which ncg_cluster_place uses: the best score gets
// MaxExtenderPriority, each worse distinct score one less, down to 0; nodes whose scores differ only in the
// order they were added (equal priority, leftover and free capacity) get the same priority. Nodes where the
// pod does not fit get 0, and so does every node for a pod that asks for no Neuron resource.
func (s *State) Prioritize(pod *corev1.Pod, names []string) (extenderv1.HostPriorityList, error) {
	w, err := PodWant(pod)
	if err != nil {
		return nil, err
	}
	out := make(extenderv1.HostPriorityList, len(names))
	for i, name := range names {
		out[i] = extenderv1.HostPriority{Host: name}
	}
	if w.Count == 0 {
		return out, nil
	}
	// Nodes in one state share one answer: the answers are ranked, not the nodes, by the library in one call.
	idx := make([]int, len(names)) // the answer of each node: 1 + its index in uniq, 0 where the pod does not fit
	var uniq []*scored
	seen := make(map[*scored]int, 64)
	s.mu.RLock()
	for i, name := range names {
		a := s.answerLocked(name, w)
		if a.err != nil {
			continue
		}
		k, ok := seen[a]
		if !ok {
			uniq = append(uniq, a)
			k = len(uniq)
			seen[a] = k
		}
		idx[i] = k
	}
	s.mu.RUnlock()
	termsOf := make([]ncg.NodeScore, len(uniq))
	for k, a := range uniq {
		termsOf[k] = terms(a.score)
	}
	level, err := ncg.NodeScoreRank(termsOf)
	if err != nil {
		return nil, err
	}
	for i, k := range idx {
		if k > 0 {
			out[i].Score = max(0, extenderv1.MaxExtenderPriority-int64(level[k-1]))
		}
	}
	return out, nil
}

// terms is a score without the node's identity (index, node group, order added), which only breaks exact
// ties: two nodes in the same state compare equal.
func terms(s ncg.NodeScore) ncg.NodeScore {
	s.NodeIndex, s.NodeGroup, s.Seq = 0, 0, 0
	return s
}

// Reservation is what a bind allocated for a pod on a node.
type Reservation struct {
	Want Want
	Node string
	Held Held
}

// Reserve allocates the pod's devices or cores on the node (the library's PlaceOn: the node group's policy
// picks them) and holds them for the pod until its pod is seen bound, deleted or finished, the reservation is
// forgotten or it expires (after the state's assume TTL). A pod that asks for no Neuron resource gets an empty
// reservation. Reserving again a pod that has a reservation on the same node gives that reservation (a bind
// after its filter, or a bind retried), which then waits the assume TTL from now.
func (s *State) Reserve(pod *corev1.Pod, node string) (Reservation, error) {
	w, err := PodWant(pod)
	if err != nil {
		return Reservation{}, err
	}
	if w.Count == 0 {
		return Reservation{Want: w, Node: node}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reserveLocked(pod, w, node, s.assumeTTL)
}

// PickAndReserve reserves the pod's want on the best of the nodes named, whose answers a filter found (the pod
// fits them all), by the library's score (the order of ncg_cluster_place; among nodes in the same state, the
// first by name), for ttl, and returns the index of that node in names. Should that node no longer take the
// pod (it changed since the filter read it), the nodes are scored again under the state's lock.
func (s *State) PickAndReserve(pod *corev1.Pod, w Want, names []string, answers []*scored, ttl time.Duration) (int, error) {
	best, err := s.pick(names, answers, nil)
	if err != nil {
		return -1, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.nodes[names[best]]; n == nil || n.reason != "" || n.blocked != nil || s.nodeAnswerLocked(n, w).err != nil {
		again := make([]*scored, len(names))
		for i, name := range names {
			if n := s.nodes[name]; n != nil && n.reason == "" && n.blocked == nil {
				again[i] = s.nodeAnswerLocked(n, w)
			}
		}
		if best, err = s.pick(names, again, s.nodes); err != nil {
			return -1, err
		}
	}
	if _, err := s.reserveLocked(pod, w, names[best], ttl); err != nil {
		return -1, err
	}
	return best, nil
}

// pick is the index of the best of the nodes whose answers fit (a nil answer or one with an error is passed
// over): the library ranks their scores' terms, and among equals the first by name wins. nodes, when given (the
// state's lock held), finds the nodes' names ranks; otherwise the state's read lock is taken for them.
func (s *State) pick(names []string, answers []*scored, nodes map[string]*nodeInfo) (int, error) {
	var idx []int
	var scores []ncg.NodeScore
	for i, a := range answers {
		if a != nil && a.err == nil {
			idx, scores = append(idx, i), append(scores, terms(a.score))
		}
	}
	if len(idx) == 0 {
		return -1, fmt.Errorf("the pod fits none of the %d nodes any more", len(names))
	}
	ranks, err := ncg.NodeScoreRank(scores)
	if err != nil {
		return -1, err
	}
	top := 0
	for k := range idx {
		if ranks[k] < ranks[top] {
			top = k
		}
	}
	var tied []int
	for k, i := range idx {
		if ranks[k] == ranks[top] {
			tied = append(tied, i)
		}
	}
	if len(tied) == 1 {
		return tied[0], nil
	}
	if nodes == nil {
		s.mu.RLock()
		defer s.mu.RUnlock()
		nodes = s.nodes
	}
	best, bestRank := tied[0], -1
	for _, i := range tied {
		if n := nodes[names[i]]; n != nil && (bestRank < 0 || n.rank < bestRank) {
			best, bestRank = i, n.rank
		}
	}
	return best, nil
}

func (s *State) reserveLocked(pod *corev1.Pod, w Want, node string, ttl time.Duration) (Reservation, error) {
	old := s.pods[pod.UID]
	if old != nil && old.bound != "" {
		return Reservation{}, fmt.Errorf("pod %s is bound to node %s already", old.key, old.bound)
	}
	if old != nil && old.holds {
		if old.reserved && old.node == node {
			p := *old
			p.reservedAt, p.ttl = s.now(), ttl
			s.pods[p.uid] = &p
			s.holders[node][p.uid] = &p
			return Reservation{Want: w, Node: node, Held: old.held}, nil
		}
		if !old.reserved {
			return Reservation{}, fmt.Errorf("pod %s holds %s=%s on node %s already", old.key, AnnotationIDs, old.held.IDs, old.node)
		}
	}
	n := s.nodes[node]
	if n == nil {
		return Reservation{}, fmt.Errorf("node %s is not known to ncg-scheduler yet", node)
	}
	if n.reason != "" {
		return Reservation{}, errNodeReason(n.reason)
	}
	if n.blocked != nil {
		return Reservation{}, n.blocked.err
	}
	pl, err := s.cluster.PlaceOn(node, w.Request())
	if err != nil {
		return Reservation{}, err
	}
	cn, err := s.cluster.Node(pl.NodeIndex)
	var a ncg.Alloc
	if err == nil {
		a, err = cn.Alloc(pl.AllocID)
	}
	if err != nil {
		if rerr := s.cluster.Release(node, pl.AllocID); rerr != nil {
			s.log.Error("releasing an allocation", "node", node, "id", pl.AllocID, "error", rerr)
		}
		return Reservation{}, err
	}
	held := Held{Cores: w.Cores, First: a.FirstChip, Count: a.ChipCount}
	if w.Cores {
		held.First, held.Count = a.FirstCore, a.CoreCount
	}
	held.IDs = FormatIDs(held.First, held.Count)
	p := &podInfo{uid: pod.UID, key: pod.Namespace + "/" + pod.Name, created: pod.CreationTimestamp.Time, node: node,
		held: held, holds: true, reserved: true, reservedAt: s.now(), ttl: ttl}
	// The allocation PlaceOn made stands for p: record it, then move p in without another rebuild of this node.
	n.ids = append(n.ids, pl.AllocID)
	n.held = append(n.held, held)
	s.rekeyLocked(n)
	if old != nil && old.holds {
		setDelete(s.holders, old.node, old.uid)
		s.rebuildLocked(old.node)
	}
	setAdd(s.holders, node, p)
	s.pods[p.uid] = p
	return Reservation{Want: w, Node: node, Held: held}, nil
}

// BoundNode is the node the pod is known bound to, or "".
func (s *State) BoundNode(uid types.UID) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p := s.pods[uid]; p != nil {
		return p.bound
	}
	return ""
}

// Forget drops the reservation of a pod whose bind failed; a pod seen bound meanwhile keeps what it holds.
func (s *State) Forget(uid types.UID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pods[uid]
	if p == nil || !p.reserved {
		return
	}
	q := *p
	q.holds, q.reserved = false, false
	s.pods[uid] = &q
	s.movePodLocked(p, &q)
}
