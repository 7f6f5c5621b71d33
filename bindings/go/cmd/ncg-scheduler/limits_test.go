package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/netutil"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// rssBytes is the resident memory of this process.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestSlowClients: the server as ncg-scheduler runs it (its timeouts, its connection bound) on loopback, with 500
// clients that each claim a 100 MB body and send a byte now and then: the process's memory stays bounded (the
// claims are not allocated), and normal filter calls are answered meanwhile. Then bodies larger than the limit, and
// more bytes at once than the bodies in flight may hold, are refused at once, and the memory of a large body is
// given back.
func TestSlowClients(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	s, names := benchCluster(t, 200)
	x := NewExtender(s, nil, nil)
	x.SetReady(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(x.Handler())
	go func() { _ = srv.Serve(netutil.LimitListener(ln, DefaultMaxConnections)) }()
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().String()
	body := must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("p", false, 1, 0), NodeNames: &names}))
	client := &http.Client{Timeout: 10 * time.Second}
	filter := func() (time.Duration, error) {
		start := time.Now()
		resp, err := client.Post("http://"+addr+"/filter", "application/json", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var r extenderv1.ExtenderFilterResult
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || len(*r.NodeNames) != 1 {
			return 0, fmt.Errorf("HTTP %d: %v %+v", resp.StatusCode, err, r)
		}
		return time.Since(start), nil
	}
	if _, err := filter(); err != nil {
		t.Fatal(err)
	}
	before := rssBytes(t)

	const slow = 500
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var connected sync.WaitGroup
	for i := 0; i < slow; i++ {
		wg.Add(1)
		connected.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			connected.Done()
			if err != nil {
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /filter HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{", addr)
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
				}
			}
		}()
	}
	connected.Wait()
	var lat []time.Duration
	peak := int64(0)
	for k := 0; k < 20; k++ {
		time.Sleep(100 * time.Millisecond)
		d, err := filter()
		if err != nil {
			t.Fatalf("a normal filter among %d slow clients: %v", slow, err)
		}
		lat = append(lat, d)
		peak = max(peak, rssBytes(t))
	}
	close(stop)
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("%d slow clients: resident memory %d MB before, %d MB at most; 20 normal filters p50 %v, max %v", slow,
		before>>20, peak>>20, lat[len(lat)/2], lat[len(lat)-1])
	if peak-before > 200<<20 {
		t.Errorf("the slow clients grew the process by %d MB", (peak-before)>>20)
	}
	if lat[len(lat)/2] > 100*time.Millisecond {
		t.Errorf("normal filters took p50 %v among the slow clients", lat[len(lat)/2])
	}

	// A body past --max-body-bytes: 413 before it is read, whatever it claims.
	x.Limits.MaxBody, x.Limits.MaxInFlight = 8<<20, 8<<20
	big := bytes.Repeat([]byte(" "), 9<<20)
	resp, err := client.Post("http://"+addr+"/filter", "application/json", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, msg)
	}
	// Four bodies of 6 MB at once, 8 MB in flight at most: those that would pass it are refused with 503, the
	// others are read; nothing stays counted.
	codes := make([]int, 4)
	var bw sync.WaitGroup
	for i := range codes {
		bw.Add(1)
		go func() {
			defer bw.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			w := bufio.NewWriter(c)
			fmt.Fprintf(w, "POST /filter HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, 6<<20)
			_, _ = w.Write(bytes.Repeat([]byte(" "), 6<<20))
			_ = w.Flush()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err == nil {
				codes[i] = resp.StatusCode
				resp.Body.Close()
			}
		}()
	}
	bw.Wait()
	refused := 0
	for _, c := range codes {
		switch c {
		case http.StatusServiceUnavailable:
			refused++
		case http.StatusBadRequest: // read whole: 6 MB of spaces are not ExtenderArgs
		default:
			t.Errorf("codes %v", codes)
		}
	}
	t.Logf("4 bodies of 6 MB with 8 MB in flight at most: %v", codes)
	if n := x.Limits.inFlight.Load(); n != 0 {
		t.Fatalf("%d bytes still counted in flight", n)
	}
	if _, err := filter(); err != nil {
		t.Fatal(err)
	}
	// A body of 48 MB (within the limits): once it is answered, its memory goes back to the system.
	if raceEnabled {
		return
	}
	x.Limits.MaxBody, x.Limits.MaxInFlight = 64<<20, 64<<20
	low := rssBytes(t)
	resp, err = client.Post("http://"+addr+"/filter", "application/json", bytes.NewReader(bytes.Repeat([]byte(" "), 48<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	high := rssBytes(t)
	var after int64
	for k := 0; k < 50; k++ {
		time.Sleep(100 * time.Millisecond)
		if after = rssBytes(t); after < low+(high-low)/2 {
			break
		}
	}
	t.Logf("a 48 MB body: resident memory %d MB before, %d MB after it was read, %d MB once answered", low>>20,
		high>>20, after>>20)
	if high-low > 24<<20 && after >= low+(high-low)/2 {
		t.Errorf("the body's memory was not given back: %d MB, then %d MB", high>>20, after>>20)
	}
}
