package main

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	schedconfig "k8s.io/kube-scheduler/config/v1"
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
		case "v1 ServiceAccount":
			obj = &corev1.ServiceAccount{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Pod":
			obj = &corev1.Pod{}
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "rbac.authorization.k8s.io/v1 ClusterRole":
			obj = &rbacv1.ClusterRole{}
		case "rbac.authorization.k8s.io/v1 ClusterRoleBinding":
			obj = &rbacv1.ClusterRoleBinding{}
		case "rbac.authorization.k8s.io/v1 RoleBinding":
			obj = &rbacv1.RoleBinding{}
		case "kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration":
			obj = &schedconfig.KubeSchedulerConfiguration{}
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

func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	if err != nil || len(files) != 6 {
		t.Fatalf("%v %v", files, err)
	}
	byKind := map[string][]any{}
	for _, f := range files {
		for _, obj := range parseDocs(t, f) {
			byKind[typeName(obj)] = append(byKind[typeName(obj)], obj)
		}
	}
	var kinds []string
	for k, v := range byKind {
		kinds = append(kinds, k+"="+strconv.Itoa(len(v)))
	}
	sort.Strings(kinds)
	if got := strings.Join(kinds, " "); got != "ClusterRole=1 ClusterRoleBinding=3 ConfigMap=1 Deployment=2 KubeSchedulerConfiguration=1 Pod=1 RoleBinding=1 Service=1 ServiceAccount=2" {
		t.Fatal(got)
	}

	// The scheduler configuration: an extender for both resources, at the Service's address, binding.
	cfg := byKind["KubeSchedulerConfiguration"][0].(*schedconfig.KubeSchedulerConfiguration)
	if len(cfg.Extenders) != 1 || len(cfg.Profiles) != 1 || cfg.Profiles[0].SchedulerName == nil ||
		*cfg.Profiles[0].SchedulerName != "neuron-scheduler" {
		t.Fatalf("%+v", cfg)
	}
	e := cfg.Extenders[0]
	if e.URLPrefix != "http://ncg-scheduler.kube-system.svc.cluster.local:8888" || e.FilterVerb != "filter" ||
		e.PrioritizeVerb != "prioritize" || e.BindVerb != "bind" || !e.NodeCacheCapable || e.Weight != 5 ||
		len(e.ManagedResources) != 2 || e.ManagedResources[0].Name != string(ResourceNeuron) ||
		e.ManagedResources[1].Name != string(ResourceNeuronCore) || e.Ignorable {
		t.Fatalf("%+v", e)
	}
	// The ConfigMap of neuron-scheduler.yaml carries the same configuration.
	cm := byKind["ConfigMap"][0].(*corev1.ConfigMap)
	if cm.Data["scheduler-config.yaml"] != string(readFile(t, filepath.Join(examplesDir, "scheduler-config.yaml"))) {
		t.Fatalf("the ConfigMap differs from scheduler-config.yaml:\n%s", cm.Data["scheduler-config.yaml"])
	}
	// The Service selects the extender's pods on the port its Deployment serves and the URL names.
	var ext *appsv1.Deployment
	for _, d := range byKind["Deployment"] {
		if d := d.(*appsv1.Deployment); d.Name == "ncg-scheduler" {
			ext = d
		}
	}
	svc := byKind["Service"][0].(*corev1.Service)
	if ext == nil || svc.Name != "ncg-scheduler" || svc.Namespace != "kube-system" ||
		svc.Spec.Selector["app.kubernetes.io/name"] != ext.Spec.Template.Labels["app.kubernetes.io/name"] ||
		svc.Spec.Ports[0].Port != 8888 || ext.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort != 8888 ||
		*ext.Spec.Replicas != 1 || ext.Spec.Template.Spec.ServiceAccountName != "ncg-scheduler" {
		t.Fatalf("%+v %+v", svc, ext)
	}
	// The extender's container arguments are flags it accepts.
	if _, err := parseFlags(ext.Spec.Template.Spec.Containers[0].Args, os.Stderr); err != nil {
		t.Fatal(err)
	}
	// RBAC: what the extender does (watch nodes and pods, patch pods, create bindings), bound to its account.
	role := byKind["ClusterRole"][0].(*rbacv1.ClusterRole)
	rules := map[string]string{}
	for _, r := range role.Rules {
		for _, res := range r.Resources {
			rules[res] = strings.Join(r.Verbs, ",")
		}
	}
	wantEqual(t, "rules", rules, map[string]string{"nodes": "get,list,watch", "pods": "get,list,watch,patch",
		"pods/binding": "create"})
	// The example pod asks for 2 devices through neuron-scheduler.
	pod := byKind["Pod"][0].(*corev1.Pod)
	if w, err := PodWant(pod); err != nil || w != (Want{Count: 2}) || pod.Spec.SchedulerName != "neuron-scheduler" {
		t.Fatal(w, err)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *corev1.ServiceAccount:
		return "ServiceAccount"
	case *corev1.Service:
		return "Service"
	case *corev1.ConfigMap:
		return "ConfigMap"
	case *corev1.Pod:
		return "Pod"
	case *appsv1.Deployment:
		return "Deployment"
	case *rbacv1.ClusterRole:
		return "ClusterRole"
	case *rbacv1.ClusterRoleBinding:
		return "ClusterRoleBinding"
	case *rbacv1.RoleBinding:
		return "RoleBinding"
	case *schedconfig.KubeSchedulerConfiguration:
		return "KubeSchedulerConfiguration"
	}
	return "?"
}
