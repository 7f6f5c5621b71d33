package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodWant(t *testing.T) {
	q := func(s string) resource.Quantity { return resource.MustParse(s) }
	ctr := func(name string, lim, req corev1.ResourceList) corev1.Container {
		return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Limits: lim, Requests: req}}
	}
	cases := []struct {
		name       string
		containers []corev1.Container
		init       []corev1.Container
		want       Want
		err        string
	}{
		{"none", []corev1.Container{ctr("a", corev1.ResourceList{"cpu": q("1")}, nil)}, nil, Want{}, ""},
		{"devices summed", []corev1.Container{ctr("a", corev1.ResourceList{ResourceNeuron: q("2")}, nil),
			ctr("b", corev1.ResourceList{ResourceNeuron: q("1")}, nil)}, nil, Want{Count: 3}, ""},
		{"request without limit", []corev1.Container{ctr("a", nil, corev1.ResourceList{ResourceNeuronCore: q("5")})}, nil,
			Want{Cores: true, Count: 5}, ""},
		{"larger init container", []corev1.Container{ctr("a", corev1.ResourceList{ResourceNeuron: q("1")}, nil)},
			[]corev1.Container{ctr("i", corev1.ResourceList{ResourceNeuron: q("4")}, nil)}, Want{Count: 4}, ""},
		{"neurondevice", []corev1.Container{ctr("a", corev1.ResourceList{ResourceNeuronDevice: q("2")}, nil)}, nil,
			Want{Count: 2, Name: ResourceNeuronDevice}, ""},
		{"both kinds", []corev1.Container{ctr("a", corev1.ResourceList{ResourceNeuron: q("1")}, nil),
			ctr("b", corev1.ResourceList{ResourceNeuronCore: q("2")}, nil)}, nil, Want{},
			"pod asks for both aws.amazon.com/neuron (1) and aws.amazon.com/neuroncore (2); ask for one"},
		{"fraction", []corev1.Container{ctr("a", corev1.ResourceList{ResourceNeuron: q("500m")}, nil)}, nil, Want{},
			"container a: aws.amazon.com/neuron 500m is not a whole number >= 0"},
		{"init fraction", nil, []corev1.Container{ctr("i", corev1.ResourceList{ResourceNeuronCore: q("1500m")}, nil)},
			Want{}, "container i: aws.amazon.com/neuroncore 1500m is not a whole number >= 0"},
	}
	for _, c := range cases {
		pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: c.containers, InitContainers: c.init}}
		w, err := PodWant(pod)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || w != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, w, err, c.want)
		}
	}
	if r := (Want{Count: 2}).Request(); r.Inf != 2 || r.NeuronCores != 0 || r.PPR != 1 || r.CPUMilli != 0 {
		t.Errorf("%+v", r)
	}
	if r := (Want{Cores: true, Count: 3}).Request(); r.Inf != 0 || r.NeuronCores != 3 || r.PPR != 1 {
		t.Errorf("%+v", r)
	}
	if (Want{Cores: true}).Resource() != ResourceNeuronCore || (Want{}).Resource() != ResourceNeuron ||
		(Want{Count: 1, Name: ResourceNeuronDevice}).Resource() != ResourceNeuronDevice {
		t.Error("Resource")
	}
}

func TestPodHeld(t *testing.T) {
	pod := func(node string, phase corev1.PodPhase, ann map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: ann}, Spec: corev1.PodSpec{NodeName: node},
			Status: corev1.PodStatus{Phase: phase}}
	}
	cases := []struct {
		name string
		pod  *corev1.Pod
		held Held
		ok   bool
		err  string
	}{
		{"devices", pod("n", corev1.PodRunning, map[string]string{AnnotationIDs: "2,3", AnnotationNode: "n"}),
			Held{IDs: "2,3", First: 2, Count: 2}, true, ""},
		{"cores", pod("n", corev1.PodPending, map[string]string{AnnotationIDs: "4,5,6",
			AnnotationResourceType: "aws.amazon.com/neuroncore"}), Held{Cores: true, IDs: "4,5,6", First: 4, Count: 3}, true, ""},
		{"not bound", pod("", corev1.PodPending, map[string]string{AnnotationIDs: "0"}), Held{}, false, ""},
		{"succeeded", pod("n", corev1.PodSucceeded, map[string]string{AnnotationIDs: "0"}), Held{}, false, ""},
		{"failed", pod("n", corev1.PodFailed, map[string]string{AnnotationIDs: "0"}), Held{}, false, ""},
		{"no ids", pod("n", corev1.PodRunning, map[string]string{"x": "y"}), Held{}, false, ""},
		{"for another node", pod("n", corev1.PodRunning, map[string]string{AnnotationIDs: "0", AnnotationNode: "m"}),
			Held{}, false, ""},
		{"not contiguous", pod("n", corev1.PodRunning, map[string]string{AnnotationIDs: "1,3"}), Held{}, false,
			`annotation AWS_NEURON_IDS="1,3": `},
		{"garbage", pod("n", corev1.PodRunning, map[string]string{AnnotationIDs: "x"}), Held{}, false,
			`annotation AWS_NEURON_IDS="x": `},
	}
	for _, c := range cases {
		h, ok, err := PodHeld(c.pod)
		if c.err != "" {
			if err == nil || len(err.Error()) <= len(c.err) || err.Error()[:len(c.err)] != c.err {
				t.Errorf("%s: error %v, want %q...", c.name, err, c.err)
			}
			continue
		}
		if err != nil || ok != c.ok || h != c.held {
			t.Errorf("%s: %+v %v %v; want %+v %v", c.name, h, ok, err, c.held, c.ok)
		}
	}
}

func TestFormatIDsAndNodeType(t *testing.T) {
	if FormatIDs(3, 1) != "3" || FormatIDs(0, 4) != "0,1,2,3" || FormatIDs(10, 3) != "10,11,12" || FormatIDs(0, 0) != "" {
		t.Error(FormatIDs(3, 1), FormatIDs(0, 4))
	}
	n := mkNode("a", "inf2.xlarge")
	if NodeType(n) != "inf2.xlarge" {
		t.Error(NodeType(n))
	}
	n.Labels = map[string]string{LabelInstanceTypeBeta: "inf1.xlarge"}
	if NodeType(n) != "inf1.xlarge" {
		t.Error(NodeType(n))
	}
	if NodeType(mkNode("b", "")) != "" {
		t.Error("no label")
	}
}

// A node's LabelLNC decides its NeuronCores per device: an LNC=1 trn2.48xlarge shows 8 per device (128 in all),
// the default 4; a bad value keeps the node out with the label in its reason, and a fixed label brings it in.
func TestNodeLNCLabel(t *testing.T) {
	s := newTestState(t)
	lnc1, lnc2, bad := mkNode("t1", "trn2.48xlarge"), mkNode("t2", "trn2.48xlarge"), mkNode("t3", "trn2.48xlarge")
	lnc1.Labels[LabelLNC] = "1"
	bad.Labels[LabelLNC] = "4"
	inf2 := mkNode("i1", "inf2.xlarge")
	inf2.Labels[LabelLNC] = "2"
	for _, n := range []*corev1.Node{lnc1, lnc2, bad, inf2} {
		s.SetNode(n)
	}
	got := map[string]NodeSnapshot{}
	for _, n := range s.Snapshot() {
		got[n.Name] = n
	}
	if n := got["t1"]; n.CoresPerChip != 8 || n.FreeCores != 128 || n.LNC != 1 || n.Reason != "" {
		t.Errorf("t1: %+v", n)
	}
	if n := got["t2"]; n.CoresPerChip != 4 || n.FreeCores != 64 || n.LNC != 2 || n.Reason != "" {
		t.Errorf("t2: %+v", n)
	}
	if n := got["t3"]; n.Reason != `node t3: label libncg.io/logical-neuroncore-config="4" is not 1 or 2` {
		t.Errorf("t3: %q", n.Reason)
	}
	if n := got["i1"]; n.Reason != `node i1: label libncg.io/logical-neuroncore-config="2": node group `+
		`inf2.xlarge.lnc2: lnc 2: inf2.xlarge has no Logical NeuronCore setting (its 2 NeuronCores per chip are `+
		`physical cores)` {
		t.Errorf("i1: %q", n.Reason)
	}
	// eight NeuronCores fit one device of the LNC=1 node, two of the other
	passed, _, _, err := s.Filter(mkPod("p", true, 8, 1), []string{"t1", "t2", "t3"})
	if err != nil || len(passed) != 2 {
		t.Fatalf("filter: %v %v", passed, err)
	}
	bad.Labels[LabelLNC] = "2"
	s.SetNode(bad)
	for _, n := range s.Snapshot() {
		if n.Name == "t3" && (n.Reason != "" || n.CoresPerChip != 4) {
			t.Errorf("t3 after the fix: %+v", n)
		}
	}
	if v, err := NodeLNC(mkNode("x", "trn2.48xlarge")); v != 0 || err != nil {
		t.Error(v, err)
	}
}
