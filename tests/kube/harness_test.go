package kube

// The control plane of the suite: etcd, kube-apiserver and kube-schedulers as processes of the controlplane
// program (cmd/controlplane, built from k8s.io/kubernetes), ncg-scheduler as the binary the project builds, all
// on 127.0.0.1, each process's output in a log file of the run's directory.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Env names the programs the suite runs; scripts/kube-e2e.sh sets them.
type Env struct {
	ControlPlane string // cmd/controlplane
	Scheduler    string // ncg-scheduler
	Helm         string // helm v4
	Chart        string // deploy/helm/ncg-scheduler
	Examples     string // examples/kubernetes
	LibPath      string // where ncg-scheduler finds libncg.so.2
	Out          string // where the run's logs and figures go
}

func envFromOS(t *testing.T) Env {
	e := Env{ControlPlane: os.Getenv("NCG_E2E_CONTROLPLANE"), Scheduler: os.Getenv("NCG_E2E_SCHEDULER"),
		Helm: os.Getenv("NCG_E2E_HELM"), Chart: os.Getenv("NCG_E2E_CHART"), Examples: os.Getenv("NCG_E2E_EXAMPLES"),
		LibPath: os.Getenv("NCG_E2E_LD_LIBRARY_PATH"), Out: os.Getenv("NCG_E2E_OUT")}
	if e.ControlPlane == "" || e.Scheduler == "" || e.Helm == "" || e.Chart == "" || e.Examples == "" {
		t.Skip("the end-to-end suite runs from scripts/kube-e2e.sh, which builds the control plane, helm and " +
			"ncg-scheduler and sets NCG_E2E_*")
	}
	if e.Out == "" {
		e.Out = t.TempDir()
	}
	return e
}

// Proc is a process of the suite.
type Proc struct {
	Name string
	Log  string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// start runs a program with its output in dir/name.log.
func start(t *testing.T, dir, name string, env []string, prog string, args ...string) *Proc {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "=== %s %s %s\n", time.Now().Format(time.RFC3339Nano), prog, strings.Join(args, " "))
	cmd := exec.Command(prog, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("%s: %v", name, err)
	}
	p := &Proc{Name: name, Log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p
}

// Running says whether the process has not exited.
func (p *Proc) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// CPU is the CPU time the process has used (user and system), 0 once it has exited.
func (p *Proc) CPU() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses: utime and stime are the 12th and 13th.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ticks := func(s string) time.Duration {
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Duration(n) * time.Second / 100 // USER_HZ
	}
	return ticks(f[11]) + ticks(f[12])
}

// Signal sends sig to the process while it runs.
func (p *Proc) Signal(sig syscall.Signal) {
	if p.Running() {
		_ = p.cmd.Process.Signal(sig)
	}
}

// Kill sends SIGKILL and waits for the exit.
func (p *Proc) Kill() {
	if p.Running() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// Stop sends SIGTERM and waits up to 20 s for the exit, then kills.
func (p *Proc) Stop() {
	if !p.Running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.Kill()
	}
}

// Tail is the end of the process's log, for failure messages.
func (p *Proc) Tail(n int) string {
	data, err := os.ReadFile(p.Log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePort is a TCP port free on 127.0.0.1 now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitHTTP polls url until it answers 200, the process exits or the timeout passes.
func waitHTTP(t *testing.T, p *Proc, url string, timeout time.Duration) {
	t.Helper()
	client := insecureHTTP()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if !p.Running() {
			t.Fatalf("%s exited (%v):\n%s", p.Name, p.err, p.Tail(30))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s not ready after %v (%v):\n%s", p.Name, url, timeout, err, p.Tail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var insecure = sync.OnceValue(func() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig.InsecureSkipVerify = true
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
})

func insecureHTTP() *http.Client { return insecure() }

// Cluster is etcd and kube-apiserver, and an administrator's client.
type Cluster struct {
	Env    Env
	Dir    string
	URL    string
	Admin  kubernetes.Interface
	Config *rest.Config
	procs  []*Proc
	pairs  []*Pair // the scheduler pairs started
}

// adminToken authenticates the suite as a member of system:masters (the static token file).
const adminToken = "ncg-e2e-admin"

// StartCluster starts etcd and kube-apiserver in dir and waits until the API server is ready.
func StartCluster(t *testing.T, e Env) *Cluster {
	t.Helper()
	dir := filepath.Join(e.Out, "cluster")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Env: e, Dir: dir}
	t.Cleanup(c.stopAll)
	etcdPort, peerPort := freePort(t), freePort(t)
	etcd := start(t, dir, "etcd", nil, e.ControlPlane, "etcd", "--data-dir", filepath.Join(dir, "etcd"),
		"--listen", fmt.Sprintf("http://127.0.0.1:%d", etcdPort), "--listen-peer", fmt.Sprintf("http://127.0.0.1:%d", peerPort))
	c.procs = append(c.procs, etcd)
	waitHTTP(t, etcd, fmt.Sprintf("http://127.0.0.1:%d/health", etcdPort), 60*time.Second)

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	write(t, filepath.Join(dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	write(t, filepath.Join(dir, "tokens.csv"), []byte(adminToken+",ncg-e2e-admin,ncg-e2e-admin,system:masters\n"))
	apiPort := freePort(t)
	api := start(t, dir, "kube-apiserver", nil, e.ControlPlane, "kube-apiserver",
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdPort),
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", apiPort), "--cert-dir="+filepath.Join(dir, "certs"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(dir, "sa.key"),
		"--token-auth-file="+filepath.Join(dir, "tokens.csv"),
		"--authorization-mode=RBAC", "--service-cluster-ip-range=10.96.0.0/16",
		// No controller-manager creates the namespaces' default ServiceAccounts: pods name none.
		"--disable-admission-plugins=ServiceAccount",
		// The suite's pods never run: events may be many.
		"--event-ttl=1h")
	c.procs = append(c.procs, api)
	c.URL = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	waitHTTP(t, api, c.URL+"/readyz", 120*time.Second)
	c.Config = &rest.Config{Host: c.URL, BearerToken: adminToken, TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS: -1, UserAgent: "ncg-e2e"}
	c.Admin = kubernetes.NewForConfigOrDie(c.Config)
	// The API server makes its system namespaces and roles at start: wait for the ones the chart binds to.
	ctx := context.Background()
	waitFor(t, 60*time.Second, "the API server's bootstrap roles", func() bool {
		_, err1 := c.Admin.RbacV1().ClusterRoles().Get(ctx, "system:kube-scheduler", metav1.GetOptions{})
		_, err2 := c.Admin.RbacV1().Roles("kube-system").Get(ctx, "extension-apiserver-authentication-reader", metav1.GetOptions{})
		_, err3 := c.Admin.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{})
		return err1 == nil && err2 == nil && err3 == nil
	})
	return c
}

func (c *Cluster) stopAll() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].Stop()
	}
}

// track makes the cluster stop p at the end.
func (c *Cluster) track(p *Proc) *Proc {
	c.procs = append(c.procs, p)
	return p
}

// Kubeconfig writes a kubeconfig for a ServiceAccount (a token from the TokenRequest API), or for the
// administrator when sa is "".
func (c *Cluster) Kubeconfig(t *testing.T, namespace, sa string) string {
	t.Helper()
	token := adminToken
	if sa != "" {
		exp := int64(24 * 3600)
		tr, err := c.Admin.CoreV1().ServiceAccounts(namespace).CreateToken(context.Background(), sa,
			&authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("token of %s/%s: %v", namespace, sa, err)
		}
		token = tr.Status.Token
	}
	name := "admin"
	if sa != "" {
		name = namespace + "-" + sa
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: c.URL, InsecureSkipTLSVerify: true}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: name}
	cfg.CurrentContext = "e2e"
	path := filepath.Join(c.Dir, name+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond every 50 ms until it holds, or fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NodeType is a Neuron instance type as the Neuron device plugin advertises it: chips (aws.amazon.com/neuron and
// aws.amazon.com/neurondevice) and NeuronCores (aws.amazon.com/neuroncore), with the host's CPU and memory.
type NodeType struct {
	Name         string
	Chips, Cores int // cores per chip, at the default Logical NeuronCore setting
	CPU          int
	MemoryGi     int
	LNC          int // the default Logical NeuronCore setting (Trainium2); 0: the type has none
}

// labelLNC is ncg-scheduler's node label for a node's Logical NeuronCore setting.
const labelLNC = "libncg.io/logical-neuroncore-config"

// CoresPerChip is what the device plugin counts per device on a node of type nt with labels: at LNC=1 a
// Trainium2 device shows twice the cores of its default LNC=2.
func (nt NodeType) CoresPerChip(labels map[string]string) int {
	if v := labels[labelLNC]; nt.LNC > 0 && (v == "1" || v == "2") {
		return nt.Cores * nt.LNC / int(v[0]-'0')
	}
	return nt.Cores
}

// The types of the suite's nodes (AWS's figures; cores per chip as the runtime counts them).
var nodeTypes = map[string]NodeType{
	"inf1.6xlarge":  {"inf1.6xlarge", 4, 4, 24, 48, 0},
	"inf1.24xlarge": {"inf1.24xlarge", 16, 4, 96, 192, 0},
	"inf2.24xlarge": {"inf2.24xlarge", 6, 2, 96, 384, 0},
	"inf2.48xlarge": {"inf2.48xlarge", 12, 2, 192, 768, 0},
	"trn1.32xlarge": {"trn1.32xlarge", 16, 2, 128, 512, 0},
	"trn2.48xlarge": {"trn2.48xlarge", 16, 4, 192, 2048, 2},
	"m5.large":      {"m5.large", 0, 0, 2, 8, 0},
}

// CreateNode adds a Ready node of the type, with the capacity the kubelet and the Neuron device plugin report,
// and without the not-ready taint that new nodes get (no node controller runs).
func (c *Cluster) CreateNode(ctx context.Context, name, typ string) error {
	return c.CreateNodeLNC(ctx, name, typ, 0)
}

// CreateNodeLNC is CreateNode for a node labelled with Logical NeuronCore setting lnc (0: no label), whose device
// plugin counts that setting's cores.
func (c *Cluster) CreateNodeLNC(ctx context.Context, name, typ string, lnc int) error {
	nt, ok := nodeTypes[typ]
	if !ok {
		return fmt.Errorf("no node type %s", typ)
	}
	labels := map[string]string{"node.kubernetes.io/instance-type": typ, "kubernetes.io/hostname": name,
		"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
	if lnc > 0 {
		labels[labelLNC] = fmt.Sprint(lnc)
	}
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	n, err := c.Admin.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	rl := corev1.ResourceList{
		corev1.ResourceCPU:    resourceQ(int64(nt.CPU)),
		corev1.ResourceMemory: resourceQ(int64(nt.MemoryGi) << 30),
		corev1.ResourcePods:   resourceQ(250),
	}
	if nt.Chips > 0 {
		rl["aws.amazon.com/neuron"] = resourceQ(int64(nt.Chips))
		rl["aws.amazon.com/neurondevice"] = resourceQ(int64(nt.Chips))
		rl["aws.amazon.com/neuroncore"] = resourceQ(int64(nt.Chips * nt.CoresPerChip(labels)))
	}
	now := metav1.Now()
	n.Status = corev1.NodeStatus{Capacity: rl, Allocatable: rl, Phase: corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			LastHeartbeatTime: now, LastTransitionTime: now}}}
	if n, err = c.Admin.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		return err
	}
	for {
		var keep []corev1.Taint
		for _, tn := range n.Spec.Taints {
			if !strings.HasPrefix(tn.Key, "node.kubernetes.io/") {
				keep = append(keep, tn)
			}
		}
		if len(keep) == len(n.Spec.Taints) {
			return nil
		}
		n.Spec.Taints = keep
		_, err = c.Admin.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		if !apierrors.IsConflict(err) {
			return err
		}
		if n, err = c.Admin.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{}); err != nil {
			return err
		}
	}
}

// parallel runs f(i) for i in [0, n) on workers goroutines and returns the first error.
func parallel(n, workers int, f func(i int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
