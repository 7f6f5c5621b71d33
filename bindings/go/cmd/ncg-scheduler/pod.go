package main

import (
	"fmt"
	"strconv"
	"strings"

	ncg "github.com/libncg/libncg/bindings/go"
	corev1 "k8s.io/api/core/v1"
)

// The extended resources of the Neuron device plugin.
const (
	ResourceNeuron       corev1.ResourceName = "aws.amazon.com/neuron"       // whole Neuron devices (chips)
	ResourceNeuronDevice corev1.ResourceName = "aws.amazon.com/neurondevice" // the same devices, the newer name
	ResourceNeuronCore   corev1.ResourceName = "aws.amazon.com/neuroncore"   // NeuronCores
)

// The pod annotations the Neuron device plugin reads, as the AWS scheduler extension and HAMi write them.
const (
	AnnotationIDs          = "AWS_NEURON_IDS"                // device indices (neuron) or host-global core ids (neuroncore), comma-separated
	AnnotationResourceType = "NEURON_RESOURCE_TYPE"          // "aws.amazon.com/neuroncore" for core requests; absent for devices
	AnnotationAllocTime    = "NEURON_ALLOC_TIME"             // unix nanoseconds of the bind
	AnnotationAllocated    = "NEURON_ALLOCATED"              // "false" at bind; the device plugin sets "true"
	AnnotationNode         = "aws.amazon.com/predicate-node" // the node the ids are for
)

// LabelInstanceType is the node label that names its EC2 instance type; LabelInstanceTypeBeta is its old name.
// LabelLNC gives the Logical NeuronCore setting of a Trainium2 or Trainium3 node ("1" or "2"; the instance's, from
// its launch template): without it the node runs its type's default. Neither AWS nor Kubernetes defines such a
// label, so ncg-scheduler reads its own; set it where the launch template sets the LNC (doc/scheduler.md).
const (
	LabelInstanceType     = "node.kubernetes.io/instance-type"
	LabelInstanceTypeBeta = "beta.kubernetes.io/instance-type"
	LabelLNC              = "libncg.io/logical-neuroncore-config"
)

// Want is what a pod asks of the Neuron device plugin: Count whole devices (Cores false) or Count NeuronCores,
// under the resource Name it used (empty: the default name of the kind). The zero Want asks for nothing.
type Want struct {
	Cores bool
	Count int64
	Name  corev1.ResourceName
}

// Resource is the resource name of w.
func (w Want) Resource() corev1.ResourceName {
	switch {
	case w.Name != "":
		return w.Name
	case w.Cores:
		return ResourceNeuronCore
	default:
		return ResourceNeuron
	}
}

// key is w without its resource name: the library's answer depends on the kind and the count alone.
func (w Want) key() Want { return Want{Cores: w.Cores, Count: w.Count} }

// Request is w as a replica request of the library: devices or cores only. CPU and memory are left to
// kube-scheduler, which knows each node's allocatable and every pod on it.
func (w Want) Request() ncg.Request {
	r := ncg.NewRequest()
	r.CPUMilli = 0
	if w.Cores {
		r.NeuronCores = w.Count
	} else {
		r.Inf = w.Count
	}
	return r
}

// containerWant is what one container asks: its limit, or its request when it has no limit (extended
// resources must have both equal when both are set).
func containerWant(c *corev1.Container, name corev1.ResourceName) (int64, error) {
	q, ok := c.Resources.Limits[name]
	if !ok {
		if q, ok = c.Resources.Requests[name]; !ok {
			return 0, nil
		}
	}
	v, exact := q.AsInt64()
	if !exact || v < 0 {
		return 0, fmt.Errorf("container %s: %s %s is not a whole number >= 0", c.Name, name, q.String())
	}
	return v, nil
}

// PodWant is what a pod asks for in all: the sum over its containers, or the largest init container when that
// is more (init containers run one at a time, before the others). aws.amazon.com/neuron and
// aws.amazon.com/neurondevice are the same devices under two names. A pod that asks under two names is refused,
// with an error of type BadRequest: the device plugin takes one AWS_NEURON_IDS list per pod, of one kind.
func PodWant(pod *corev1.Pod) (Want, error) {
	total := func(name corev1.ResourceName) (int64, error) {
		var sum, initMax int64
		for i := range pod.Spec.Containers {
			v, err := containerWant(&pod.Spec.Containers[i], name)
			if err != nil {
				return 0, err
			}
			sum += v
		}
		for i := range pod.Spec.InitContainers {
			v, err := containerWant(&pod.Spec.InitContainers[i], name)
			if err != nil {
				return 0, err
			}
			initMax = max(initMax, v)
		}
		return max(sum, initMax), nil
	}
	var asked []Want
	for _, name := range []corev1.ResourceName{ResourceNeuron, ResourceNeuronDevice, ResourceNeuronCore} {
		n, err := total(name)
		if err != nil {
			return Want{}, BadRequest{err.Error()}
		}
		if n > 0 {
			w := Want{Cores: name == ResourceNeuronCore, Count: n}
			if name == ResourceNeuronDevice {
				w.Name = name
			}
			asked = append(asked, w)
		}
	}
	switch len(asked) {
	case 0:
		return Want{}, nil
	case 1:
		return asked[0], nil
	default:
		return Want{}, BadRequest{fmt.Sprintf("pod asks for both %s (%d) and %s (%d); ask for one", asked[0].Resource(),
			asked[0].Count, asked[1].Resource(), asked[1].Count)}
	}
}

// BadRequest is a pod's request that no node can ever serve: kube-scheduler is told so for every node
// (FailedAndUnresolvableNodes), and parks the pod as unschedulable instead of retrying it.
type BadRequest struct{ msg string }

func (e BadRequest) Error() string { return e.msg }

// Held is what a pod holds on its node, read back from its annotations.
type Held struct {
	Cores bool
	IDs   string // AWS_NEURON_IDS as written
	First int    // first device or core
	Count int    // how many
}

// FormatIDs writes count consecutive ids from first as AWS_NEURON_IDS does: "2,3,4".
func FormatIDs(first, count int) string {
	var b strings.Builder
	for i := 0; i < count; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(first + i))
	}
	return b.String()
}

// PodHeld reads what a bound pod holds from its annotations. ok is false when the pod holds nothing: it is not
// bound, it has finished, it has no AWS_NEURON_IDS, or its ids were written for another node than the one it
// is bound to. An error says the annotations are there but malformed.
func PodHeld(pod *corev1.Pod) (h Held, ok bool, err error) {
	if pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return Held{}, false, nil
	}
	ids, has := pod.Annotations[AnnotationIDs]
	if !has {
		return Held{}, false, nil
	}
	if n, has := pod.Annotations[AnnotationNode]; has && n != pod.Spec.NodeName {
		return Held{}, false, nil
	}
	h = Held{Cores: pod.Annotations[AnnotationResourceType] == string(ResourceNeuronCore), IDs: ids}
	if h.Cores {
		h.First, h.Count, err = ncg.ParseVisibleCores(ids, 0)
	} else {
		h.First, h.Count, err = ncg.ParseVisibleDevices(ids, 0)
	}
	if err != nil {
		return Held{}, false, fmt.Errorf("annotation %s=%q: %v", AnnotationIDs, ids, err)
	}
	return h, true, nil
}

// NodeLNC is the Logical NeuronCore setting a node's LabelLNC gives: 0 without the label, 1 or 2, or an error
// naming the label and the value.
func NodeLNC(node *corev1.Node) (int, error) {
	v, ok := node.Labels[LabelLNC]
	switch {
	case !ok:
		return 0, nil
	case v == "1":
		return 1, nil
	case v == "2":
		return 2, nil
	}
	return 0, fmt.Errorf("label %s=%q is not 1 or 2", LabelLNC, v)
}

// NodeType is the instance type a node's labels name, or "".
func NodeType(node *corev1.Node) string {
	if t := node.Labels[LabelInstanceType]; t != "" {
		return t
	}
	return node.Labels[LabelInstanceTypeBeta]
}
