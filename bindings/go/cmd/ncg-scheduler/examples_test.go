package main

import (
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const examplesDir = "../../../../examples/kubernetes"

// parseDocs decodes every document of a YAML file strictly (an unknown field fails) into the Kubernetes type
// its apiVersion and kind name.
func parseDocs(t *testing.T, path string) []any {
	t.Helper()
	var out []any
	for i, doc := range strings.Split("\n"+string(readFile(t, path)), "\n---\n") {
		doc += "\n" // the separator took the newline that ends the document's last line
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("%s: document %d: %v", path, i, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 Pod":
			obj = &corev1.Pod{}
		default:
			t.Fatalf("%s: document %d: unexpected %s %s", path, i, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s: document %d (%s): %v", path, i, tm.Kind, err)
		}
		out = append(out, obj)
	}
	return out
}

// TestExamplesParse: the example pod of examples/kubernetes/ (the chart, deploy/helm/ncg-scheduler, is rendered
// by helm and installed by the end-to-end suite, tests/kube) asks for 2 devices through neuron-scheduler.
func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	if err != nil || len(files) != 1 {
		t.Fatalf("%v %v", files, err)
	}
	docs := parseDocs(t, files[0])
	pod, ok := docs[0].(*corev1.Pod)
	if len(docs) != 1 || !ok {
		t.Fatalf("%+v", docs)
	}
	if w, err := PodWant(pod); err != nil || w != (Want{Count: 2}) || pod.Spec.SchedulerName != "neuron-scheduler" {
		t.Fatal(w, err)
	}
}
