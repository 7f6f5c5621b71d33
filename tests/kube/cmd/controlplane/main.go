// Command controlplane runs the pieces of a real Kubernetes control plane that the end-to-end suite needs, built
// from the Go module proxy: etcd (embedded), kube-apiserver and kube-scheduler, each with its stock flags.
//
//	controlplane etcd --data-dir DIR --listen URL      etcd with one member, serving clients on URL
//	controlplane kube-apiserver FLAGS...                k8s.io/kubernetes/cmd/kube-apiserver
//	controlplane kube-scheduler FLAGS...                k8s.io/kubernetes/cmd/kube-scheduler
//	controlplane version                                the Kubernetes and etcd versions built in
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/api/v3/version"
	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kversion "k8s.io/component-base/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: controlplane etcd|kube-apiserver|kube-scheduler|version [FLAGS...]")
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "etcd":
		os.Exit(runEtcd(args))
	case "kube-apiserver":
		cmd := apiserver.NewAPIServerCommand()
		cmd.SetArgs(args)
		os.Exit(cli.Run(cmd))
	case "kube-scheduler":
		cmd := scheduler.NewSchedulerCommand()
		cmd.SetArgs(args)
		os.Exit(cli.Run(cmd))
	case "version":
		fmt.Printf("kubernetes %s\netcd %s\n", kversion.Get().GitVersion, version.Version)
	default:
		fmt.Fprintf(os.Stderr, "controlplane: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

// runEtcd runs a one-member etcd until SIGTERM or SIGINT.
func runEtcd(args []string) int {
	fs := flag.NewFlagSet("etcd", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "the member's data `directory`")
	listen := fs.String("listen", "http://127.0.0.1:2379", "client `URL`")
	peer := fs.String("listen-peer", "http://127.0.0.1:2380", "peer `URL`")
	if err := fs.Parse(args); err != nil || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: controlplane etcd --data-dir DIR [--listen URL] [--listen-peer URL]")
		return 2
	}
	cu, err := url.Parse(*listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: --listen: %v\n", err)
		return 2
	}
	pu, err := url.Parse(*peer)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: --listen-peer: %v\n", err)
		return 2
	}
	cfg := embed.NewConfig()
	cfg.Dir = *dir
	cfg.Name = "default"
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.Name + "=" + pu.String()
	cfg.LogLevel = "warn"
	// The suite's data is thrown away after each run: no fsync to wait for.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		return 1
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "etcd: not ready after 60 s")
		return 1
	}
	fmt.Fprintln(os.Stderr, "etcd: ready")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
		return 0
	case err := <-e.Err():
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		return 1
	}
}
