package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	jsoniter "github.com/json-iterator/go"
	corev1 "k8s.io/api/core/v1"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// The filter call's hot path, which kube-scheduler takes once per pod with every candidate node (doc/scheduler.md,
// Speed): the arguments decoded into reused buffers, the answer written by hand with encoding/json's exact
// bytes, so that a call over 1,000 nodes allocates little more than the pod it decodes.

// extenderArgs holds the buffers of decodeArgs: extenderv1.ExtenderArgs with the node names in a reused slice
// (nil when the body had none, or null), and the scratch of the reader.
type extenderArgs struct {
	Pod   *corev1.Pod
	Nodes *corev1.NodeList
	names []string
	set   bool // names were there
}

// decodeArgs decodes ExtenderArgs, reusing a's buffers. A body as kube-scheduler writes it (an object whose
// keys are Pod, Nodes and NodeNames, at most once each and spelled so, whose node names are printable ASCII
// without escapes) is read with json-iterator's tokenizer into a's buffers; any other body is decoded by
// wire into extenderv1.ExtenderArgs, as it always was: its error is the one reported, its result is taken,
// so that both ways give the same answers and the same errors (TestDecodeArgs).
func decodeArgs(body []byte, a *extenderArgs) (extenderv1.ExtenderArgs, error) {
	if a.read(body) {
		args := extenderv1.ExtenderArgs{Pod: a.Pod, Nodes: a.Nodes}
		if a.set {
			args.NodeNames = &a.names
		}
		return args, nil
	}
	var args extenderv1.ExtenderArgs
	if err := wire.Unmarshal(body, &args); err != nil {
		return extenderv1.ExtenderArgs{}, err
	}
	return args, nil
}

// reset empties a, keeping its buffers.
func (a *extenderArgs) reset() {
	a.Pod, a.Nodes, a.set = nil, nil, false
	if a.names == nil {
		a.names = make([]string, 0, 1024) // not nil: an empty array is [], not null
	}
	a.names = a.names[:0] // the last call's names stay past the length, for readNames to take again
}

// read reads body into a when it is as kube-scheduler writes it; false otherwise (a is then to be ignored).
// json-iterator's tokenizer reads it; the Pod and Nodes are decoded by wire as a whole.
func (a *extenderArgs) read(body []byte) bool {
	a.reset()
	it := wire.BorrowIterator(body)
	defer wire.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return false
	}
	var pod, nodes, names bool
	ok := it.ReadObjectCB(func(it *jsoniter.Iterator, field string) bool {
		switch field { // spelled exactly so, once each: any other key is left to the general decoder
		case "Pod":
			if pod {
				return false
			}
			pod = true
			it.ReadVal(&a.Pod)
		case "Nodes":
			if nodes {
				return false
			}
			nodes = true
			it.ReadVal(&a.Nodes)
		case "NodeNames":
			if names || !a.readNames(it) {
				return false
			}
			names = true
		default:
			return false
		}
		return it.Error == nil
	})
	if !ok || it.Error != nil {
		return false
	}
	// nothing but white space after the object
	return it.WhatIsNext() == jsoniter.InvalidValue && it.Error == io.EOF
}

// plainName says whether a string's bytes are printable ASCII without a backslash: a string that reads the same
// raw and decoded (encoding/json would turn escapes and invalid UTF-8 into other bytes).
func plainName(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return true
}

// readNames reads null or an array of plain strings into names: the last call's string for a name it had at the
// same place (kube-scheduler sends the same candidates call after call), else a copy.
func (a *extenderArgs) readNames(it *jsoniter.Iterator) bool {
	switch it.WhatIsNext() {
	case jsoniter.NilValue:
		it.ReadNil()
		a.set = false
		return it.Error == nil
	case jsoniter.ArrayValue:
	default:
		return false
	}
	last := a.names[:cap(a.names)]
	ok := it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
		if it.WhatIsNext() != jsoniter.StringValue {
			return false
		}
		name := it.ReadStringAsSlice() // valid until the next read; cut at the first quote, so checked
		if it.Error != nil || !plainName(name) {
			return false
		}
		if j := len(a.names); j < len(last) && last[j] == string(name) {
			a.names = append(a.names, last[j]) // the name the last call had at the same place
		} else {
			a.names = append(a.names, string(name))
		}
		return true
	})
	a.set = true
	return ok && it.Error == nil
}

// nodeReason is a node that failed a filter, and why (the answer's reason and reasonJSON); its name also as a
// JSON string, and its rank among the names of the state's nodes (-1: a node the state does not know).
type nodeReason struct {
	name, nameJSON string
	answer         *scored
	rank           int
}

// filterOut is what State.filterInto appends to: the nodes that passed in the order given (and their names
// as JSON strings), and the others with their reasons; ranks is the number of ranks (the state's nodes).
type filterOut struct {
	passed, passedJSON   []string
	passedAnswers        []*scored // the answers of the nodes that passed (their scores), in the same order
	failed, unresolvable []nodeReason
	ranks                int
	memo                 nodeMemo
}

// nodeMemo is the nodes a filter found for its names (nil: not known), which the next call with the same
// buffers takes again for the same name at the same place, as long as the state's nodes have not changed
// (kube-scheduler sends the same candidates call after call).
type nodeMemo struct {
	state *State
	gen   uint64
	names []string
	nodes []*nodeInfo
}

// nameSorter sorts reasons by node name as encoding/json sorts the keys of a map (strings.Compare), dropping
// the repeats of a name (a name given twice has the same reason twice). Nodes of the state are in the order of
// their ranks, which a pass over the ranks gives; names that the state does not know are compared, first by
// the 8 bytes after the prefix all the names share (node names do: "ip-10-0-").
type nameSorter struct {
	slots []int // by rank: 1 + the index of the reason of that rank, or 0
	keys  []sortKey
	out   []nodeReason
}

type sortKey struct {
	key uint64 // the 8 bytes after the common prefix, big-endian, zeros past the end
	i   int    // the reason's index
}

// sort returns list sorted and without repeats, in a buffer of the sorter's (valid until its next sort).
func (ns *nameSorter) sort(list []nodeReason, ranks int) []nodeReason {
	if len(list) < 2 {
		return list
	}
	ns.out = ns.out[:0]
	if ns.byRank(list, ranks) {
		return ns.out
	}
	prefix := list[0].name
	for _, r := range list[1:] {
		n := min(len(prefix), len(r.name))
		k := 0
		for k < n && prefix[k] == r.name[k] {
			k++
		}
		prefix = prefix[:k]
	}
	p := len(prefix)
	ns.keys = ns.keys[:0]
	for i, r := range list {
		var key uint64
		for k := 0; k < 8; k++ {
			key <<= 8
			if p+k < len(r.name) {
				key |= uint64(r.name[p+k])
			}
		}
		ns.keys = append(ns.keys, sortKey{key, i})
	}
	slices.SortFunc(ns.keys, func(a, b sortKey) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return strings.Compare(list[a.i].name[p:], list[b.i].name[p:])
	})
	for _, k := range ns.keys {
		if n := len(ns.out); n > 0 && ns.out[n-1].name == list[k.i].name {
			continue
		}
		ns.out = append(ns.out, list[k.i])
	}
	return ns.out
}

// byRank sorts list into out by rank when every reason has one and the ranks are not many more than the
// reasons (a pass over them costs less than a sort); false, out untouched, otherwise.
func (ns *nameSorter) byRank(list []nodeReason, ranks int) bool {
	if ranks > 16*len(list)+1024 {
		return false
	}
	for _, r := range list {
		if r.rank < 0 || r.rank >= ranks {
			return false
		}
	}
	if cap(ns.slots) < ranks {
		ns.slots = make([]int, ranks)
	}
	slots := ns.slots[:ranks]
	for i, r := range list {
		slots[r.rank] = i + 1
	}
	for k, i := range slots {
		if i > 0 {
			ns.out = append(ns.out, list[i-1])
			slots[k] = 0
		}
	}
	return true
}

// filterCall is one filter call's buffers and answer, reused through filterCalls. The answer is an
// extenderv1.ExtenderFilterResult: Nodes, or NodeNames when namesSet (nil names: null), FailedNodes and
// FailedAndUnresolvableNodes when lists (sorted, each name once), Error.
type filterCall struct {
	args      extenderArgs
	out       filterOut
	sorters   [2]nameSorter
	failed    []nodeReason // sorted, each name once
	unres     []nodeReason // the same
	nodes     *corev1.NodeList
	names     []string
	namesJSON []string // names as JSON strings, or nil
	namesSet  bool
	lists     bool
	err       string
}

var filterCalls = sync.Pool{New: func() any { return new(filterCall) }}

// reset clears the answer of the last call, keeping the buffers (the entries past their lengths are written
// again before they are read; until then they only keep strings alive).
func (c *filterCall) reset() {
	c.out.passed, c.out.passedJSON, c.out.passedAnswers = c.out.passed[:0], c.out.passedJSON[:0], c.out.passedAnswers[:0]
	c.out.failed, c.out.unresolvable = c.out.failed[:0], c.out.unresolvable[:0]
	c.failed, c.unres = nil, nil
	c.args.Pod, c.args.Nodes = nil, nil
	c.nodes, c.names, c.namesJSON, c.namesSet, c.lists, c.err = nil, nil, nil, false, false, ""
}

// release gives c back to filterCalls, reset, unless its buffers grew past the usual.
func (c *filterCall) release() {
	c.reset()
	if cap(c.args.names) > maxPooledNames || cap(c.out.passed) > maxPooledNames {
		return
	}
	filterCalls.Put(c)
}

// maxPooledNames bounds the name buffers kept for the next call.
const maxPooledNames = 20000

// appendJSON appends the answer as encoding/json marshals an extenderv1.ExtenderFilterResult: fields in order,
// map keys sorted, strings escaped alike (HTML characters included).
func (c *filterCall) appendJSON(b []byte) []byte {
	b = append(b, `{"Nodes":`...)
	if c.nodes == nil {
		b = append(b, "null"...)
	} else if nb, err := json.Marshal(c.nodes); err != nil {
		// Not seen with decoded nodes (every field of theirs marshals); say so rather than write half an answer.
		b = append(b, "null"...)
		c.err = "filter: encoding the passing nodes: " + err.Error()
	} else {
		b = append(b, nb...)
	}
	b = append(b, `,"NodeNames":`...)
	if !c.namesSet || c.names == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, n := range c.names {
			if i > 0 {
				b = append(b, ',')
			}
			if c.namesJSON != nil {
				b = append(b, c.namesJSON[i]...)
			} else {
				b = appendJSONString(b, n)
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"FailedNodes":`...)
	b = c.appendReasons(b, c.failed)
	b = append(b, `,"FailedAndUnresolvableNodes":`...)
	b = c.appendReasons(b, c.unres)
	b = append(b, `,"Error":`...)
	b = appendJSONString(b, c.err)
	return append(b, '}')
}

func (c *filterCall) appendReasons(b []byte, list []nodeReason) []byte {
	if !c.lists {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, r := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r.nameJSON...)
		b = append(b, ':')
		b = append(b, r.answer.reasonJSON...)
	}
	return append(b, '}')
}

// jsonSafe says which ASCII bytes encoding/json writes as they are in a string (it escapes the control
// characters, the quote, the backslash, and <, > and & for HTML).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string exactly as encoding/json writes it: short escapes for \b \f \n
// \r \t \" \\, \u00XX (lowercase hex) for the other control characters and <, > and &, \ufffd for each byte
// of invalid UTF-8, \u2028 and \u2029 escaped, every other character as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonAppender is an answer that writes its own JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// bodyBufs and answerBufs hold the byte buffers of request bodies and of answers between calls.
var (
	bodyBufs   = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	answerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}
)

// maxPooledBuffer bounds the buffers kept for the next call: a body of full Node objects may be far larger.
const maxPooledBuffer = 4 << 20

// readBody reads a request body into a buffer of bodyBufs, as its bytes come (a Content-Length is a claim, not
// a reason to allocate), at most limits.MaxBody bytes, within the bytes all the calls may hold at once
// (limits.MaxInFlight): the bytes it reads are counted as they come, and given back by done. errTooLarge and
// errBusy say which bound a body met; putBody gives the buffer back.
func readBody(w http.ResponseWriter, r *http.Request, l *Limits) (b *bytes.Buffer, done func(), err error) {
	b = bodyBufs.Get().(*bytes.Buffer)
	b.Reset()
	if r.ContentLength > l.MaxBody {
		return b, func() {}, errTooLarge
	}
	br := &budgetReader{r: http.MaxBytesReader(w, r.Body, l.MaxBody), l: l}
	_, err = b.ReadFrom(br)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = errTooLarge
	}
	return b, br.release, err
}

var (
	errTooLarge = errors.New("the body is larger than --max-body-bytes")
	errBusy     = errors.New("the bodies being read at once would pass --max-inflight-bytes; retry")
)

// budgetReader counts what it reads against the bytes in flight, in steps of budgetStep.
type budgetReader struct {
	r        io.Reader
	l        *Limits
	reserved int64
	read     int64
}

const budgetStep = 256 << 10

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.read+int64(len(p)) > b.reserved {
		step := max(int64(budgetStep), b.read+int64(len(p))-b.reserved)
		if b.l.inFlight.Add(step) > b.l.MaxInFlight {
			b.l.inFlight.Add(-step)
			return 0, errBusy
		}
		b.reserved += step
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// release gives back what the body counted; a large body also has the memory it held returned to the system.
func (b *budgetReader) release() {
	b.l.inFlight.Add(-b.reserved)
	if b.read >= largeBody {
		b.l.returnMemory()
	}
}

func putBody(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		bodyBufs.Put(b)
	}
}

// largeBody is the size past which a body's memory is returned to the system once it is answered.
const largeBody = 16 << 20

// writeAppended writes an answer that encodes itself, in one Write.
func writeAppended(w http.ResponseWriter, code int, v jsonAppender) {
	bp := answerBufs.Get().(*[]byte)
	b := append(v.appendJSON((*bp)[:0]), '\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
	if cap(b) <= maxPooledBuffer {
		*bp = b[:0]
		answerBufs.Put(bp)
	}
}
