package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadList(t *testing.T) {
	nodes, pods, err := ReadList(readFile(t, "testdata/state.json"))
	if err != nil || len(nodes) != 5 || len(pods) != 4 || pods[3].Namespace != "default" || pods[3].UID != "u-web-0" {
		t.Fatal(len(nodes), len(pods), err)
	}
	// YAML, a typed list, defaults for namespace and UID.
	_, pods, err = ReadList([]byte("apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n"))
	if err != nil || len(pods) != 1 || pods[0].Namespace != "default" || pods[0].UID != "default/a" {
		t.Fatal(pods, err)
	}
	for _, c := range []struct{ in, err string }{
		{`{"apiVersion": "v1", "kind": "Pod"}`, `not a v1 List: apiVersion "v1", kind "Pod"`},
		{`[1]`, "not a v1 List: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array"},
		{`{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service"}]}`,
			`item 0: kind "Service" is neither Node nor Pod`},
		{`{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "apps/v1", "kind": "Deployment"}]}`,
			`item 0: apiVersion "apps/v1", kind "Deployment" is neither a v1 Node nor a v1 Pod`},
		{`{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Node", "metadata": {}}]}`,
			"item 0: a Node without a name"},
		{`{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "spec": 3}]}`,
			"item 0 (Pod): json: cannot unmarshal number"},
	} {
		if _, _, err := ReadList([]byte(c.in)); err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.in, err, c.err)
		}
	}
}

const wantReplay = `ml/gpt-0: ip-10-0-0-1 AWS_NEURON_IDS=3
ml/gpt-1: ip-10-0-0-2 AWS_NEURON_IDS=0,1
ml/llama-0: ip-10-0-1-1 AWS_NEURON_IDS=0,1,2,3,4,5,6,7
ml/small-0: ip-10-0-0-2 AWS_NEURON_IDS=8,9,10
ml/huge-0: unschedulable: bare: node bare has no node.kubernetes.io/instance-type label; ip-10-0-0-1: no instances can satisfy the requested Inf quantity - requested 16 Inf but instances only have 4 Inf available; ip-10-0-0-2: no instances can satisfy the requested Inf quantity - requested 16 Inf but instances only have 4 Inf available; ip-10-0-1-1: no free window of 16 chips on trn1.32xlarge: free chips 8,9,10,11,12,13,14,15, largest free window 8; ip-10-0-2-1: instance type m5.large of node ip-10-0-2-1 has no Neuron devices
ml/three-0: unschedulable: bare: node bare has no node.kubernetes.io/instance-type label; ip-10-0-0-1: no free window of 3 chips on inf1.6xlarge: free chips none, largest free window 0; ip-10-0-0-2: no free window of 3 chips on inf1.6xlarge: free chips 3, largest free window 1; ip-10-0-1-1: Instance type trn1.32xlarge does not support requests for device: 3. Please request a different number of devices.; ip-10-0-2-1: instance type m5.large of node ip-10-0-2-1 has no Neuron devices
placed 4 of 6 pods
`

// TestReplayCLI replays testdata/replay.json against testdata/state.json as the command line does, then
// replays nothing against the state it wrote: the same allocations, read back from the annotations.
func TestReplayCLI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "after.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"--state", "testdata/state.json", "--replay", "testdata/replay.json", "--out", out}, &stdout, &stderr)
	if code != 3 || stdout.String() != wantReplay || stderr.String() != "" {
		t.Fatalf("exit %d\n%s\nstderr: %s", code, stdout.String(), stderr.String())
	}
	nodes, pods, err := ReadList(readFile(t, out))
	if err != nil || len(nodes) != 5 || len(pods) != 10 {
		t.Fatal(len(nodes), len(pods), err)
	}
	s := newTestState(t)
	for _, n := range nodes {
		s.SetNode(n)
	}
	for _, p := range pods {
		s.SetPod(p)
	}
	got := map[string]string{}
	for _, n := range s.Snapshot() {
		for _, p := range n.Pods {
			got[p.Pod] = n.Name + " " + p.IDs
		}
	}
	wantEqual(t, "allocations read back", got, map[string]string{"ml/resnet-0": "ip-10-0-0-1 0,1",
		"ml/bert-0": "ip-10-0-0-1 8,9", "ml/gpt-0": "ip-10-0-0-1 3", "ml/gpt-1": "ip-10-0-0-2 0,1",
		"ml/llama-0": "ip-10-0-1-1 0,1,2,3,4,5,6,7", "ml/small-0": "ip-10-0-0-2 8,9,10"})

	empty := filepath.Join(t.TempDir(), "none.json")
	if err := os.WriteFile(empty, []byte(`{"apiVersion": "v1", "kind": "List", "items": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run([]string{"--state", out, "--replay", empty}, &stdout, &stderr); code != 0 || stdout.String() != "placed 0 of 0 pods\n" {
		t.Fatal(code, stdout.String(), stderr.String())
	}
}

func TestCommandLineErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--replay", "x"}, 2, "ncg-scheduler: --replay needs --state\n"},
		{[]string{"--state", "a", "--kubeconfig", "b"}, 2, "ncg-scheduler: --state and --kubeconfig exclude each other\n"},
		{[]string{"--state", "a", "--out", "b"}, 2, "ncg-scheduler: --out needs --replay\n"},
		{[]string{"--policy", "best"}, 2, "ncg-scheduler: --policy \"best\": want pack or first-fit\n"},
		{[]string{"--assume-ttl", "0s"}, 2, "ncg-scheduler: --assume-ttl 0s: want a positive duration\n"},
		{[]string{"extra"}, 2, "ncg-scheduler: unexpected argument \"extra\"\n"},
		{[]string{"--state", "testdata/missing.json"}, 1, "ncg-scheduler: open testdata/missing.json: no such file or directory\n"},
		{[]string{"--state", "testdata/replay.json", "--replay", "testdata/state.json"}, 1,
			"ncg-scheduler: testdata/state.json: holds 5 nodes; nodes go in --state\n"},
		{[]string{"--state", "testdata/filter-args.json"}, 1,
			"ncg-scheduler: testdata/filter-args.json: not a v1 List: apiVersion \"\", kind \"\"\n"},
		{[]string{"--state", "testdata/state.json", "--listen", "256.0.0.1:1"}, 1, ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != c.code || (c.err != "" && stderr.String() != c.err) || (c.err == "" && stderr.Len() == 0) {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stderr.String(), "usage:\n") {
		t.Errorf("-h: exit %d, %q", code, stderr.String())
	}
}
