// Command ncg-scheduler is a Kubernetes scheduler extender for AWS Neuron, on libncg: kube-scheduler asks it
// to filter and prioritize the nodes of pods that request aws.amazon.com/neuron (whole devices) or
// aws.amazon.com/neuroncore (NeuronCores), and to bind them, which writes the annotations the Neuron device
// plugin reads. See doc/scheduler.md.
//
//	ncg-scheduler [--kubeconfig FILE] [--listen ADDR]      in a cluster (in-cluster config without --kubeconfig)
//	ncg-scheduler --state FILE --listen ADDR                offline, from `kubectl get nodes,pods -o json`
//	ncg-scheduler --state FILE --replay PODS [--out FILE]   schedule a List of pods one by one, offline
//
// Exit codes: 0 done (replay: every pod placed), 1 an error, 2 usage, 3 replay: some pods unschedulable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	ncg "github.com/libncg/libncg/bindings/go"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

type options struct {
	kubeconfig, listen, state, replay, out, policy string
	assumeTTL                                      time.Duration
	verbose                                        bool
}

const usage = `usage:
  ncg-scheduler [--kubeconfig FILE] [--listen ADDR]       serve kube-scheduler in a cluster
  ncg-scheduler --state FILE --listen ADDR                 serve offline, from a v1 List of nodes and pods
  ncg-scheduler --state FILE --replay PODS [--out FILE]    schedule a v1 List of pods one by one, offline
options:
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ncg-scheduler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig `file` (default: the in-cluster configuration)")
	fs.StringVar(&o.listen, "listen", ":8888", "`address` to serve the extender, /metrics and /healthz on")
	fs.StringVar(&o.state, "state", "", "offline: nodes and pods from this `file` (kubectl get nodes,pods -o json)")
	fs.StringVar(&o.replay, "replay", "", "offline: schedule the pods of this `file` (a v1 List) and exit")
	fs.StringVar(&o.out, "out", "", "replay: write the nodes and pods after the replay to this `file` (a v1 List)")
	fs.StringVar(&o.policy, "policy", "pack", "which devices or cores of the chosen node: `pack` or first-fit")
	fs.DurationVar(&o.assumeTTL, "assume-ttl", 5*time.Minute, "drop a bind's reservation when its pod is not seen bound after this `duration`")
	fs.BoolVar(&o.verbose, "v", false, "log every bind")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.replay != "" && o.state == "":
		return o, errors.New("--replay needs --state")
	case o.out != "" && o.replay == "":
		return o, errors.New("--out needs --replay")
	case o.state != "" && o.kubeconfig != "":
		return o, errors.New("--state and --kubeconfig exclude each other")
	case o.policy != "pack" && o.policy != "first-fit":
		return o, fmt.Errorf("--policy %q: want pack or first-fit", o.policy)
	case o.assumeTTL <= 0:
		return o, fmt.Errorf("--assume-ttl %v: want a positive duration", o.assumeTTL)
	}
	return o, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ncg-scheduler: %v\n", err)
		return 2
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, o, stdout, log); err != nil {
		var u unschedulable
		if errors.As(err, &u) {
			return 3
		}
		fmt.Fprintf(stderr, "ncg-scheduler: %v\n", err)
		return 1
	}
	return 0
}

// unschedulable is the replay's outcome when some pods found no node.
type unschedulable int

func (u unschedulable) Error() string { return fmt.Sprintf("%d pods unschedulable", int(u)) }

func newState(cat *ncg.Catalog, o options, log *slog.Logger) (*State, error) {
	policy := ncg.PolicyPack
	if o.policy == "first-fit" {
		policy = ncg.PolicyFirstFit
	}
	return NewState(cat, policy, o.assumeTTL, log)
}

func serve(ctx context.Context, o options, stdout io.Writer, log *slog.Logger) error {
	cat, err := ncg.NewCatalog(0)
	if err != nil {
		return err
	}
	defer cat.Close()
	s, err := newState(cat, o, log)
	if err != nil {
		return err
	}
	defer s.Close()
	var x *Extender
	if o.state != "" {
		data, err := os.ReadFile(o.state)
		if err != nil {
			return err
		}
		nodes, pods, err := ReadList(data)
		if err != nil {
			return fmt.Errorf("%s: %v", o.state, err)
		}
		off, err := NewOffline(s, nodes, pods)
		if err != nil {
			return fmt.Errorf("%s: %v", o.state, err)
		}
		off.Extender.Log = log
		if o.replay != "" {
			return replay(ctx, off, o, stdout)
		}
		x = off.Extender
	} else {
		cs, err := client(o.kubeconfig)
		if err != nil {
			return err
		}
		x = NewExtender(s, ClientAPI{Client: cs}, log)
		go func() {
			if err := Watch(ctx, cs, s); err != nil {
				if ctx.Err() == nil {
					log.Error("watching nodes and pods", "error", err)
				}
				return
			}
			x.SetReady(true)
		}()
		go ExpireLoop(ctx, s, max(o.assumeTTL/4, time.Second), log)
	}
	return listen(ctx, o.listen, x.Handler(), log)
}

func client(kubeconfig string) (kubernetes.Interface, error) {
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "ncg-scheduler"
	return kubernetes.NewForConfig(cfg)
}

// listen serves h on addr until ctx ends, then shuts down within 10 seconds.
func listen(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Warn("serving", "address", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

func replay(ctx context.Context, off *Offline, o options, stdout io.Writer) error {
	data, err := os.ReadFile(o.replay)
	if err != nil {
		return err
	}
	nodes, pods, err := ReadList(data)
	if err != nil {
		return fmt.Errorf("%s: %v", o.replay, err)
	}
	if len(nodes) > 0 {
		return fmt.Errorf("%s: holds %d nodes; nodes go in --state", o.replay, len(nodes))
	}
	results, err := off.Replay(ctx, pods)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if r.Node == "" {
			failed++
			fmt.Fprintf(stdout, "%s: unschedulable: %s\n", r.Pod, r.Reason)
		} else {
			fmt.Fprintf(stdout, "%s: %s %s=%s\n", r.Pod, r.Node, AnnotationIDs, r.IDs)
		}
	}
	fmt.Fprintf(stdout, "placed %d of %d pods\n", len(results)-failed, len(results))
	if o.out != "" {
		list, err := off.List(ctx)
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.out, append(list, '\n'), 0o644); err != nil {
			return err
		}
	}
	if failed > 0 {
		return unschedulable(failed)
	}
	return nil
}
