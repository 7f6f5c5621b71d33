package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	ncg "github.com/libncg/libncg/bindings/go"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return v
}

func newTestState(t testing.TB) *State {
	t.Helper()
	cat := must(ncg.NewCatalog(0))
	s := must(NewState(cat, ncg.PolicyPack, time.Minute, nil))
	t.Cleanup(func() { s.Close(); cat.Close() })
	return s
}

func mkNode(name, typ string) *corev1.Node {
	n := &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
	if typ != "" {
		n.Labels = map[string]string{LabelInstanceType: typ}
	}
	return n
}

// mkPod is a pending pod asking for count devices (cores false) or cores, created at second sec.
func mkPod(name string, cores bool, count int64, sec int) *corev1.Pod {
	res := ResourceNeuron
	if cores {
		res = ResourceNeuronCore
	}
	p := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ml", UID: types.UID("uid-" + name),
			CreationTimestamp: metav1.NewTime(time.Date(2026, 11, 1, 0, 0, sec, 0, time.UTC))},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "img"}}},
	}
	if count > 0 {
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{res: *resource.NewQuantity(count, resource.DecimalSI)}
	}
	return p
}

// bound is the pod bound to node with the annotations a bind writes.
func bound(p *corev1.Pod, node, ids string) *corev1.Pod {
	q := p.DeepCopy()
	q.Spec.NodeName = node
	q.Status.Phase = corev1.PodRunning
	q.Annotations = map[string]string{AnnotationIDs: ids, AnnotationNode: node, AnnotationAllocated: "true"}
	if len(p.Spec.Containers) > 0 {
		if _, ok := p.Spec.Containers[0].Resources.Limits[ResourceNeuronCore]; ok {
			q.Annotations[AnnotationResourceType] = string(ResourceNeuronCore)
		}
	}
	return q
}

// post sends v as JSON to the handler and returns the status and body.
func post(t testing.TB, h http.Handler, path string, v any) (int, []byte) {
	t.Helper()
	body := must(json.Marshal(v))
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func get(t testing.TB, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return v
}

func wantEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// waitFor polls cond every 5 ms for up to 20 s (informers deliver events asynchronously), then fails with
// what describe says.
func waitFor(t testing.TB, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", describe())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func lines(s string, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

type fakeClientset = fake.Clientset

func toJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

func equalJSON(a, b any) bool { return toJSON(a) == toJSON(b) }
