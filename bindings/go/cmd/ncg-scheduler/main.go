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
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	ncg "github.com/libncg/libncg/bindings/go"
	"golang.org/x/net/netutil"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

type options struct {
	kubeconfig, listen, metricsListen, state string
	replay, out, policy, filter              string
	assumeTTL, bindTimeout, filterTTL        time.Duration
	qps                                      float64
	burst, maxConns                          int
	maxBody, maxInFlight                     int64
	verbose, version, profiling              bool
}

// Version is ncg-scheduler's version (set with -ldflags "-X main.Version=...": scripts/scheduler-image.sh).
var Version = "devel"

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
	fs.StringVar(&o.listen, "listen", ":8888", "`address` to serve the extender, /state, /metrics, /healthz and /livez on")
	fs.StringVar(&o.metricsListen, "metrics-listen", "", "also serve /metrics, /healthz and /livez alone on this `address` (the extender on --listen stays on localhost)")
	fs.StringVar(&o.state, "state", "", "offline: nodes and pods from this `file` (kubectl get nodes,pods -o json)")
	fs.StringVar(&o.replay, "replay", "", "offline: schedule the pods of this `file` (a v1 List) and exit")
	fs.StringVar(&o.out, "out", "", "replay: write the nodes and pods after the replay to this `file` (a v1 List)")
	fs.StringVar(&o.policy, "policy", "pack", "which devices or cores of the chosen node: `pack` or first-fit")
	fs.DurationVar(&o.assumeTTL, "assume-ttl", 5*time.Minute, "drop a bind's reservation when its pod is not seen bound after this `duration`")
	fs.StringVar(&o.filter, "filter", "best", "what filter keeps: `best`, the node the library chooses, its devices reserved at once; or all, every node where the pod fits (then configure prioritize too)")
	fs.DurationVar(&o.filterTTL, "filter-reservation-ttl", DefaultFilterReservationTTL, "with --filter best, drop a filter's reservation when no bind comes within this `duration`")
	fs.DurationVar(&o.bindTimeout, "bind-timeout", DefaultBindTimeout, "give up a bind after this `duration` (keep it below kube-scheduler's httpTimeout)")
	fs.Float64Var(&o.qps, "kube-api-qps", 1000, "requests per second to the API server, sustained (a negative `rate`: no limit)")
	fs.IntVar(&o.burst, "kube-api-burst", 2000, "requests to the API server in a burst above --kube-api-qps")
	fs.IntVar(&o.maxConns, "max-connections", DefaultMaxConnections, "serve at most this `number` of connections at once on each address (more wait)")
	fs.Int64Var(&o.maxBody, "max-body-bytes", DefaultMaxBody, "refuse a request body larger than this many `bytes` (413)")
	fs.Int64Var(&o.maxInFlight, "max-inflight-bytes", DefaultMaxInFlight, "refuse a request body when the bodies being read would hold more than this many `bytes` (503)")
	fs.BoolVar(&o.verbose, "v", false, "log every bind")
	fs.BoolVar(&o.profiling, "profiling", false, "serve Go's profiles at /debug/pprof/ on --listen")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
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
	case o.filter != "best" && o.filter != "all":
		return o, fmt.Errorf("--filter %q: want best or all", o.filter)
	case o.filterTTL <= 0:
		return o, fmt.Errorf("--filter-reservation-ttl %v: want a positive duration", o.filterTTL)
	case o.bindTimeout <= 0:
		return o, fmt.Errorf("--bind-timeout %v: want a positive duration", o.bindTimeout)
	case o.qps == 0 || math.IsNaN(o.qps) || math.IsInf(o.qps, 0):
		return o, fmt.Errorf("--kube-api-qps %v: want a positive rate, or a negative one for no limit", o.qps)
	case o.qps > 0 && o.burst < 1:
		return o, fmt.Errorf("--kube-api-burst %d: want at least 1", o.burst)
	case o.maxConns < 1:
		return o, fmt.Errorf("--max-connections %d: want at least 1", o.maxConns)
	case o.maxBody < 1<<10:
		return o, fmt.Errorf("--max-body-bytes %d: want at least 1024", o.maxBody)
	case o.maxInFlight < o.maxBody:
		return o, fmt.Errorf("--max-inflight-bytes %d: want at least --max-body-bytes (%d)", o.maxInFlight, o.maxBody)
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
	if o.version {
		fmt.Fprintf(stdout, "ncg-scheduler %s (libncg %s)\n", Version, ncg.Version())
		return 0
	}
	// serving: start-up, readiness and nodes that cannot hold Neuron pods at INFO; offline (--replay) its output
	// says all, so only problems; -v adds every bind
	level := slog.LevelInfo
	if o.replay != "" {
		level = slog.LevelWarn
	}
	if o.verbose {
		level = slog.LevelDebug
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
		off.Extender.FilterBest, off.Extender.FilterReservationTTL = o.filter == "best", o.filterTTL
		if o.replay != "" {
			return replay(ctx, off, o, stdout)
		}
		x = off.Extender
	} else {
		cs, err := client(o)
		if err != nil {
			return err
		}
		pods, synced := Watch(ctx, cs, s)
		x = NewExtender(s, ClientAPI{Client: cs, Pods: pods}, log)
		x.BindTimeout = o.bindTimeout
		x.FilterBest, x.FilterReservationTTL = o.filter == "best", o.filterTTL
		go func() {
			if err := <-synced; err != nil {
				if ctx.Err() == nil {
					log.Error("watching nodes and pods", "error", err)
				}
				return
			}
			x.SetReady(true)
			log.Info("state built from the API server's nodes and pods: serving the extender's calls")
		}()
		go ExpireLoop(ctx, s, max(min(o.assumeTTL, o.filterTTL)/4, time.Second), log)
	}
	x.Limits.MaxBody, x.Limits.MaxInFlight = o.maxBody, o.maxInFlight
	h := x.Handler()
	if o.profiling {
		mux := http.NewServeMux()
		mux.Handle("/", h)
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		h = mux
	}
	if o.metricsListen == "" {
		return listen(ctx, log, o.maxConns, server{o.listen, h})
	}
	return listen(ctx, log, o.maxConns, server{o.listen, h}, server{o.metricsListen, x.MetricsHandler()})
}

// server is a handler to serve on an address.
type server struct {
	addr string
	h    http.Handler
}

func client(o options) (kubernetes.Interface, error) {
	var cfg *rest.Config
	var err error
	if o.kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "ncg-scheduler/" + Version
	cfg.QPS, cfg.Burst = float32(o.qps), o.burst
	return kubernetes.NewForConfig(cfg)
}

// listen serves each handler on its address until ctx ends or one of them fails, then shuts them all down within
// 10 seconds. Each address serves at most maxConns connections at once (the others wait to be accepted).
func listen(ctx context.Context, log *slog.Logger, maxConns int, servers ...server) error {
	var lns []net.Listener
	for _, sv := range servers {
		ln, err := net.Listen("tcp", sv.addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return err
		}
		lns = append(lns, netutil.LimitListener(ln, maxConns))
	}
	errc := make(chan error, len(servers))
	srvs := make([]*http.Server, len(servers))
	for i, sv := range servers {
		srvs[i] = newServer(sv.h)
		log.Info("serving", "address", lns[i].Addr().String())
		go func() { errc <- srvs[i].Serve(lns[i]) }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range srvs {
		if serr := srv.Shutdown(sctx); err == nil {
			err = serr
		}
	}
	return err
}

// newServer serves h with bounds on how long a client may take: 10 s for the request's headers, 15 s for the
// whole request (kube-scheduler's largest body, full Node objects of 5,000 nodes, takes well under a second on a
// node's network), 60 s to write the answer, 120 s idle between requests.
func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
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
