package ncg

import (
	"bufio"
	"errors"
	"math"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// must returns v, and fails the test (by a panic, which the test reports with its stack) on an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return v
}

// wantErr checks that err is an *Error with the code (through errors.Is and the field) and, when msg is not
// empty, the exact message.
func wantErr(t *testing.T, err error, sentinel *Error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want %v, got %v", sentinel.Code, err)
	}
	if !errors.Is(err, sentinel) || e.Code != sentinel.Code {
		t.Fatalf("want code %d, got %d (%q)", sentinel.Code, e.Code, e.Message)
	}
	if msg != "" && e.Message != msg {
		t.Fatalf("want message %q, got %q", msg, e.Message)
	}
}

func TestVersionAndErrors(t *testing.T) {
	if Version() != "2.3.0" {
		t.Fatal(Version())
	}
	if StrError(-6) != "not found" || CodeNotFound.String() != "not found" || StrError(-14) != "unknown error" {
		t.Fatal(StrError(-6), StrError(-14))
	}
	codes := []*Error{ErrInvalid, ErrNoMem, ErrParse, ErrRange, ErrUnknownType, ErrNotFound, ErrPPR, ErrNoFit,
		ErrTopology, ErrFull, ErrOverlap, ErrModel, ErrExists}
	for i, s := range codes {
		if int(s.Code) != -(i+1) || s.Message == "" || s.Message == "unknown error" {
			t.Fatalf("sentinel %d: %+v", i, s)
		}
	}
	// -14 is retired; 2.3 added -15.
	if ErrLNC.Code != -15 || CodeLNC.String() != "Logical NeuronCore setting differs" || ErrLNC.Message != CodeLNC.String() {
		t.Fatalf("%+v", ErrLNC)
	}
	err := error(&Error{Code: CodeFull, Message: "node x: chips: 2 asked, 1 free"})
	if !errors.Is(err, ErrFull) || errors.Is(err, ErrInvalid) || err.Error() != "node x: chips: 2 asked, 1 free" {
		t.Fatal(err)
	}
}

func TestQuantities(t *testing.T) {
	if v := must(ParseCPU("500m")); v != 500 {
		t.Fatal(v)
	}
	if v := must(ParseCPU("1.5")); v != 1500 {
		t.Fatal(v)
	}
	if v := must(ParseMemory("4Gi")); v != 4<<30 {
		t.Fatal(v)
	}
	_, err := ParseCPU("abc")
	wantErr(t, err, ErrParse, "")
	if !strings.HasPrefix(err.Error(), `invalid CPU quantity "abc"`) {
		t.Fatal(err)
	}
	_, err = ParseMemory("1Qi")
	wantErr(t, err, ErrParse, "")
	_, err = ParseMemory("99999999999E")
	wantErr(t, err, ErrRange, "")
	_, err = ParseCPU("1\x00")
	wantErr(t, err, ErrInvalid, "CPU quantity contains a NUL byte")
	for in, want := range map[int64]string{2000: "2", 2500: "2500m"} {
		if got := must(FormatCPU(in)); got != want {
			t.Fatal(got, want)
		}
	}
	for in, want := range map[int64]string{4000000000: "4G", 7331643392: "6992Mi", 1023: "1023"} {
		if got := must(FormatMemory(in)); got != want {
			t.Fatal(got, want)
		}
	}
	r := NewRequest()
	if r.SetCPU("1.5") != nil || r.SetMemory("2Gi") != nil || r.SetHugepages("256Mi") != nil ||
		r.CPUMilli != 1500 || r.MemoryBytes != 2<<30 || r.HugepagesBytes != 256<<20 {
		t.Fatal(r)
	}
	wantErr(t, r.SetCPU("-1"), ErrRange, `invalid CPU quantity "-1": must not be negative`)
	wantErr(t, r.SetMemory("x"), ErrParse, "")
	wantErr(t, r.SetHugepages("1Zi"), ErrParse, "")
	if r.CPUMilli != 1500 || r.MemoryBytes != 2<<30 || r.HugepagesBytes != 256<<20 {
		t.Fatal("a failed Set changed the request", r)
	}
	_, err = FormatCPU(-1)
	wantErr(t, err, ErrRange, "")
	_, err = FormatMemory(-1)
	wantErr(t, err, ErrRange, "")
}

func TestEnvStrings(t *testing.T) {
	first, count, err := ParseVisibleCores("3-5,6", 16)
	if err != nil || first != 3 || count != 4 {
		t.Fatal(first, count, err)
	}
	first, count, err = ParseVisibleDevices("2,3", 0)
	if err != nil || first != 2 || count != 2 {
		t.Fatal(first, count, err)
	}
	_, _, err = ParseVisibleCores("5-3", 0)
	wantErr(t, err, ErrParse, "")
	_, _, err = ParseVisibleCores("14-17", 16)
	wantErr(t, err, ErrRange, "")
	_, _, err = ParseVisibleDevices("x", 0)
	wantErr(t, err, ErrParse, "")
	if got := must(ParseCoreGroupSizes("2,4,6,4")); !reflect.DeepEqual(got, []int{2, 4, 6, 4}) {
		t.Fatal(got)
	}
	_, err = ParseCoreGroupSizes("0")
	wantErr(t, err, ErrRange, "")
	_, err = ParseCoreGroupSizes("a")
	wantErr(t, err, ErrParse, "")
	if s := must(FormatIDs(4, 4, true)); s != "4-7" {
		t.Fatal(s)
	}
	if s := must(FormatIDs(2, 3, false)); s != "2,3,4" {
		t.Fatal(s)
	}
	_, err = FormatIDs(-1, 2, true)
	wantErr(t, err, ErrRange, "")
}

func TestPPR(t *testing.T) {
	if g := must(PPRCheck(AccelInferentia, 4, 2, 4)); g != 2 {
		t.Fatal(g)
	}
	_, err := PPRCheck(AccelInferentia, 4, 2, 3)
	wantErr(t, err, ErrPPR, "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - "+
		"acceptable numbers of processes are 1, 2, 4, or 8")
	_, err = PPRCheck(AccelNone, 4, 2, 1)
	wantErr(t, err, ErrInvalid, "")
	if v := must(PPRValues(8)); !reflect.DeepEqual(v, []int64{1, 2, 4, 8}) {
		t.Fatal(v)
	}
	_, err = PPRValues(0)
	wantErr(t, err, ErrRange, "")
}

func TestCatalog(t *testing.T) {
	cat := must(NewCatalog(0))
	defer cat.Close()
	if cat.TypeCount() != 14 || len(cat.Types()) != 14 {
		t.Fatal(cat.TypeCount())
	}
	typ, idx, err := cat.FindType("inf1.6xlarge")
	if err != nil || typ.Chips != 4 || typ.CoresPerChip != 4 || typ.Accelerator != AccelInferentia ||
		typ.Family != "inf1" || !typ.HasPrice || typ.USDPerHour <= 0 || typ.Accelerator.String() != "inferentia" {
		t.Fatal(typ, err)
	}
	if at := must(cat.Type(idx)); at != typ {
		t.Fatal(at, typ)
	}
	_, err = cat.Type(99)
	wantErr(t, err, ErrNotFound, "")
	_, _, err = cat.FindType("no.such")
	wantErr(t, err, ErrUnknownType, "")
	if !cat.HasType("inf1.xlarge") || cat.HasType("no.such") {
		t.Fatal("HasType")
	}
	cpu, mem, err := cat.Usable("inf1.6xlarge")
	if err != nil || cpu <= 0 || cpu >= typ.CPUMilli || mem <= 0 || mem >= typ.MemoryBytes {
		t.Fatal(cpu, mem, err)
	}
	_, _, err = cat.Usable("no.such")
	wantErr(t, err, ErrUnknownType, "")
	res := must(cat.Reserve())
	if res.CPUMilli != 710 || res.MemoryBytes != 1100<<20 || res.RuntimeBytesPerCore != 96<<20 {
		t.Fatal(res)
	}
	bad := res
	bad.CPUMilli = -1
	wantErr(t, cat.SetReserve(bad), ErrRange, "")
	if after := must(cat.Reserve()); after != res {
		t.Fatal("a failed SetReserve changed the reserves")
	}
	res.CPUMilli = 500
	if err := cat.SetReserve(res); err != nil || must(cat.Reserve()).CPUMilli != 500 {
		t.Fatal(err)
	}
	// Types: add, replace, price, remove.
	x := Type{Name: "x1", Family: "x", Accelerator: AccelInferentia, Chips: 2, CoresPerChip: 4,
		DeviceMemoryBytes: 8 << 30, CPUMilli: 8000, MemoryBytes: 32 << 30, Topology: TopologyChain}
	if i := must(cat.SetType(x)); i != 14 {
		t.Fatal(i)
	}
	bx := x
	bx.Chips = 0
	_, err = cat.SetType(bx)
	wantErr(t, err, ErrRange, "type x1: chips 0 is out of range 1..64")
	if got, _, _ := cat.FindType("x1"); got.Chips != 2 || got.HasPrice {
		t.Fatal(got)
	}
	if err := cat.SetPrice("x1", true, 1.25); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := cat.FindType("x1"); !got.HasPrice || got.USDPerHour != 1.25 {
		t.Fatal(got)
	}
	wantErr(t, cat.SetPrice("x1", true, -1), ErrRange, "")
	wantErr(t, cat.SetPrice("nope", false, 0), ErrUnknownType, "")
	if err := cat.RemoveType("x1"); err != nil || cat.TypeCount() != 14 {
		t.Fatal(err)
	}
	wantErr(t, cat.RemoveType("x1"), ErrUnknownType, "")
	// Regions.
	regions := Regions()
	if len(regions) != 23 || regions[0] != "af-south-1" || regions[22] != "us-west-2" {
		t.Fatal(regions)
	}
	all := must(NewCatalogRegion("us-east-1", 0))
	defer all.Close()
	neuron := must(NewCatalogRegion("us-east-1", CatalogNeuron))
	defer neuron.Close()
	if all.TypeCount() <= neuron.TypeCount() || neuron.TypeCount() < 14 {
		t.Fatal(all.TypeCount(), neuron.TypeCount())
	}
	for _, r := range regions {
		west := must(NewCatalogRegion(r, CatalogNeuron))
		if west.Region() != r || west.TypeCount() != 14 {
			t.Fatal(r, west.Region(), west.TypeCount())
		}
		_, _, err = west.FindType("inf9.huge")
		wantErr(t, err, ErrUnknownType, "unknown instance type \"inf9.huge\" in "+r)
		west.Close()
		if west.Region() != "" {
			t.Fatal("closed catalog has a region")
		}
	}
	_, err = NewCatalogRegion("mars-1", 0)
	wantErr(t, err, ErrNotFound, "")
	_, err = NewCatalog(CatalogNeuron)
	wantErr(t, err, ErrInvalid, "")
	empty := must(NewCatalog(CatalogEmpty))
	if empty.TypeCount() != 0 || len(empty.Types()) != 0 {
		t.Fatal("empty")
	}
	// Close is idempotent; a closed handle is an error, never a crash.
	empty.Close()
	empty.Close()
	_, err = empty.Reserve()
	wantErr(t, err, ErrInvalid, "catalog is closed")
	if empty.TypeCount() != 0 {
		t.Fatal("closed count")
	}
	if TopologySwitched != 4 || TopologySwitched.String() != "switched" {
		t.Fatal(TopologySwitched)
	}
	if TopologyTorus4x4.String() != "torus4x4" || Topology(42).String() != "" || AccelGPU.String() != "gpu" {
		t.Fatal("enum names")
	}
}

func inf(chips, ppr int64) Request {
	r := NewRequest()
	r.Inf, r.PPR = chips, ppr
	return r
}

func TestRequests(t *testing.T) {
	cat := must(NewCatalog(0))
	defer cat.Close()
	r := NewRequest()
	if r.PPR != 1 || r.CPUMilli != 200 {
		t.Fatal(r)
	}
	if g := must(cat.CheckRequest("inf1.6xlarge", inf(2, 4))); g != 2 {
		t.Fatal(g)
	}
	if g := must(cat.CheckRequest("", inf(1, 1))); g != 4 {
		t.Fatal(g)
	}
	_, err := cat.CheckRequest("inf1.xlarge", inf(2, 1))
	wantErr(t, err, ErrNoFit, "")
	if !strings.HasPrefix(err.Error(), "no instances can satisfy the requested Inf quantity") {
		t.Fatal(err)
	}
	_, err = cat.CheckRequest("inf1.6xlarge", inf(2, 3))
	wantErr(t, err, ErrPPR, "")
	_, err = cat.CheckRequest("no.such", inf(1, 1))
	wantErr(t, err, ErrUnknownType, "")
	_, err = cat.CheckRequest("inf1.6xlarge", Request{}) // the zero Request has PPR 0
	wantErr(t, err, ErrRange, "processes_per_replica 0 is out of range 1..1000000")
	big := inf(1, 1)
	big.Models = []Model{{Name: "m", Bytes: 1 << 30, CompiledCores: 8}}
	_, err = cat.CheckRequest("inf1.6xlarge", big)
	wantErr(t, err, ErrModel, "")

	layout := must(cat.Layout("inf1.6xlarge", inf(2, 4)))
	if len(layout) != 4 || layout[1].FirstCore != 2 || layout[1].CoreCount != 2 || layout[3].Process != 3 {
		t.Fatal(layout)
	}
	if l := must(cat.Layout("inf1.6xlarge", NewRequest())); len(l) != 0 {
		t.Fatal(l)
	}
	_, err = cat.Layout("inf1.6xlarge", inf(2, 3))
	wantErr(t, err, ErrPPR, "")

	n, text, err := cat.Advice("inf1.6xlarge", inf(1, 1))
	if err != nil || n != 0 || text != "" {
		t.Fatal(n, text, err)
	}
	adv := inf(1, 1)
	adv.Models = []Model{{Name: "small", Bytes: 1 << 30, CompiledCores: 1},
		{Name: "huge", Bytes: 1 << 40, StaticWeights: true}}
	n, text, err = cat.Advice("inf1.6xlarge", adv)
	lines := strings.Split(text, "\n")
	if err != nil || n != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], `model "small" is compiled for 1 NeuronCore`) {
		t.Fatal(n, text, err)
	}
	_, _, err = cat.Advice("inf1.xlarge", inf(2, 1))
	wantErr(t, err, ErrNoFit, "")
	nul := inf(1, 1)
	nul.Models = []Model{{Name: "a\x00b"}}
	_, err = cat.CheckRequest("inf1.6xlarge", nul)
	wantErr(t, err, ErrInvalid, "model name contains a NUL byte")
}

func TestNode(t *testing.T) {
	cat := must(NewCatalog(0))
	node := must(NewNode(cat, "inf1.6xlarge"))
	defer node.Close()
	cat.Close() // the node copied what it needs
	_, err := NewNode(cat, "inf1.6xlarge")
	wantErr(t, err, ErrInvalid, "catalog is closed")
	if node.TypeName() != "inf1.6xlarge" {
		t.Fatal(node.TypeName())
	}
	r := inf(2, 4)
	r.CPUMilli, r.MemoryBytes = 1000, 2<<30
	if err := node.Check(r); err != nil {
		t.Fatal(err)
	}
	a := must(node.Allocate(r))
	want := Alloc{ID: a.ID, WholeChips: true, FirstChip: 0, ChipCount: 2, FirstCore: 0, CoreCount: 8, PPR: 4,
		NCGSize: 2, CPUMilli: 1000, MemoryBytes: 2 << 30}
	if a.ID == 0 || a != want || must(node.Alloc(a.ID)) != a {
		t.Fatal(a)
	}
	env := must(node.Env(a.ID, 1))
	if env != (Env{VisibleCores: "2-3", CoreGroupSizes: "2", VisibleDevices: "0,1"}) {
		t.Fatal(env)
	}
	_, err = node.Env(a.ID, 4)
	wantErr(t, err, ErrNotFound, "")
	groups := must(node.CoreGroups(a.ID))
	if len(groups) != 4 || groups[2].FirstCore != 4 || groups[2].FirstChip != 1 || groups[2].ChipCount != 1 {
		t.Fatal(groups)
	}
	_, err = node.CoreGroups(999)
	wantErr(t, err, ErrNotFound, "")

	adopted := must(node.Adopt(&Request{CPUMilli: 500, PPR: 1}, "3", []string{"12-13", "14-15"}))
	if adopted.ID <= a.ID || adopted.CPUMilli != 500 || adopted.FirstChip != 3 || adopted.PPR != 2 {
		t.Fatal(adopted)
	}
	_, err = node.Adopt(nil, "3", nil)
	wantErr(t, err, ErrOverlap, "")
	_, err = node.Adopt(nil, "x", nil)
	wantErr(t, err, ErrParse, "")
	ids := must(node.AllocIDs())
	if !reflect.DeepEqual(ids, []uint64{a.ID, adopted.ID}) {
		t.Fatal(ids)
	}
	st := must(node.Status())
	if st.Chips != 4 || st.FreeChips != 1 || st.FreeChipMask != 1<<2 || st.Allocations != 2 || st.Policy != PolicyPack ||
		st.LargestWindow != 1 {
		t.Fatal(st)
	}
	full := inf(2, 1)
	wantErr(t, node.Check(full), ErrFull, "")
	_, err = node.Allocate(full)
	wantErr(t, err, ErrFull, "")
	if after := must(node.Status()); after != st {
		t.Fatal("a failed Allocate changed the node")
	}
	if err := node.SetPolicy(PolicyFirstFit); err != nil || must(node.Status()).Policy != PolicyFirstFit {
		t.Fatal(err)
	}
	wantErr(t, node.SetPolicy(Policy(7)), ErrInvalid, "")

	cc := must(node.ChipCache(0))
	if cc.Chip != 0 || cc.CapacityBytes != 8<<30 || cc.CoreGroups != 2 {
		t.Fatal(cc)
	}
	_, err = node.ChipCache(4)
	wantErr(t, err, ErrNotFound, "")
	gc, shares, err := node.CoreGroupCache(a.ID, 0)
	if err != nil || gc.CoreGroup.CoreCount != 2 || gc.SharedWith != 1 || len(shares) != 1 ||
		shares[0] != (CoreGroupRef{a.ID, 1}) || gc.State != CacheFits || gc.State.String() != "fits" {
		t.Fatal(gc, shares, err)
	}
	_, _, err = node.CoreGroupCache(a.ID, 9)
	wantErr(t, err, ErrNotFound, "")

	clone := must(node.Clone())
	defer clone.Close()
	if err := node.Release(a.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, node.Release(a.ID), ErrNotFound, "")
	_, err = node.Alloc(a.ID)
	wantErr(t, err, ErrNotFound, "")
	if ids := must(clone.AllocIDs()); len(ids) != 2 {
		t.Fatal("the clone changed with the node", ids)
	}
	node.Close()
	node.Close()
	_, err = node.Status()
	wantErr(t, err, ErrInvalid, "node is closed")
	_, err = node.Allocate(r)
	wantErr(t, err, ErrInvalid, "node is closed")
}

func newCluster(t *testing.T) (*Catalog, *Cluster) {
	t.Helper()
	cat := must(NewCatalog(0))
	cl := must(NewCluster())
	if i := must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "small", Type: "inf1.2xlarge", MaxNodes: 10})); i != 0 {
		t.Fatal(i)
	}
	if i := must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "big", Type: "inf1.6xlarge", MaxNodes: 10,
		HasPrice: true, USDPerHour: 0.5})); i != 1 {
		t.Fatal(i)
	}
	return cat, cl
}

func TestCluster(t *testing.T) {
	cat, cl := newCluster(t)
	defer cat.Close()
	defer cl.Close()
	_, err := cl.AddNodeGroup(cat, NodeGroupSpec{Name: "big", Type: "inf1.6xlarge", MaxNodes: 1})
	wantErr(t, err, ErrExists, "")
	_, err = cl.AddNodeGroup(cat, NodeGroupSpec{Name: "z", Type: "no.such", MaxNodes: 1})
	wantErr(t, err, ErrUnknownType, "")
	if cl.NodeGroupCount() != 2 {
		t.Fatal(cl.NodeGroupCount())
	}
	spec, typ, err := cl.NodeGroup(1)
	if err != nil || spec.Name != "big" || spec.Type != "inf1.6xlarge" || !spec.HasPrice || spec.USDPerHour != 0.5 ||
		typ.Chips != 4 {
		t.Fatal(spec, typ, err)
	}
	_, _, err = cl.NodeGroup(2)
	wantErr(t, err, ErrNotFound, "")

	if i := must(cl.AddNode("n1", "big")); i != 0 {
		t.Fatal(i)
	}
	if i := must(cl.AddNode("", "small")); i != 1 {
		t.Fatal(i)
	}
	_, err = cl.AddNode("n1", "big")
	wantErr(t, err, ErrExists, "")
	_, err = cl.AddNode("n9", "nope")
	wantErr(t, err, ErrNotFound, "")
	if cl.NodeCount() != 2 {
		t.Fatal(cl.NodeCount())
	}
	n := must(cl.Node(1))
	if n.Name != "small-1" && n.Name != "small-0" {
		t.Fatal(n.Name)
	}
	if n.NodeGroup != 0 || n.TypeName() != "inf1.2xlarge" {
		t.Fatal(n)
	}
	_, err = cl.Node(5)
	wantErr(t, err, ErrNotFound, "")
	if i := must(cl.FindNode("n1")); i != 0 {
		t.Fatal(i)
	}
	_, err = cl.FindNode("zz")
	wantErr(t, err, ErrNotFound, "")

	// Place prefers the tighter fit: 2 chips only fit the big node.
	p := must(cl.Place(inf(2, 1)))
	if p.Node != "n1" || p.NodeIndex != 0 || p.NodeGroup != 1 || p.AllocID == 0 {
		t.Fatal(p)
	}
	p2 := must(cl.Place(inf(1, 1), "small"))
	if p2.NodeGroup != 0 {
		t.Fatal(p2)
	}
	_, err = cl.Place(inf(1, 1), "nope")
	wantErr(t, err, ErrNotFound, "")
	_, err = cl.Place(inf(4, 1), "big")
	wantErr(t, err, ErrFull, "")
	a := must(must(cl.Node(0)).Alloc(p.AllocID))
	if a.ChipCount != 2 {
		t.Fatal(a)
	}
	adopted := must(cl.Adopt("n1", &Request{PPR: 1}, "3", nil))
	if adopted.FirstChip != 3 {
		t.Fatal(adopted)
	}
	_, err = cl.Adopt("zz", nil, "3", nil)
	wantErr(t, err, ErrNotFound, "")

	// Policy.
	if pol := must(cl.Policy("")); pol != PolicyPack {
		t.Fatal(pol)
	}
	if err := cl.SetPolicy("small", PolicyFirstFit); err != nil {
		t.Fatal(err)
	}
	if pol := must(cl.Policy("small")); pol != PolicyFirstFit {
		t.Fatal(pol)
	}
	_, err = cl.Policy("")
	wantErr(t, err, ErrInvalid, "")
	wantErr(t, cl.SetPolicy("nope", PolicyPack), ErrNotFound, "")
	_, err = cl.Policy("nope")
	wantErr(t, err, ErrNotFound, "")
	if err := cl.SetPolicy("", PolicyPack); err != nil {
		t.Fatal(err)
	}

	// Dump, restore, clone.
	text := must(cl.Dump())
	if !strings.HasPrefix(text, "ncg-cluster 2") {
		t.Fatal(text)
	}
	back := must(RestoreCluster(text))
	defer back.Close()
	if again := must(back.Dump()); again != text {
		t.Fatal("restore does not dump identically")
	}
	_, err = RestoreCluster("ncg-cluster 1\n")
	wantErr(t, err, ErrParse, "")
	clone := must(cl.Clone())
	defer clone.Close()

	// Defrag: the big node has chips 0-1 and 3 used; a free 2-chip window needs moves.
	moves, freed, err := cl.Defrag(1, "big")
	if err != nil || len(moves) != 0 || freed != "n1" {
		t.Fatal(moves, freed, err)
	}
	_, _, err = cl.Defrag(4, "nope")
	wantErr(t, err, ErrNotFound, "")
	_, _, err = cl.Defrag(-1, "")
	wantErr(t, err, ErrRange, "")

	if err := cl.Release("n1", p.AllocID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, cl.Release("n1", p.AllocID), ErrNotFound, "")
	if err := cl.RemoveNode("n1"); err != nil || cl.NodeCount() != 1 {
		t.Fatal(err)
	}
	wantErr(t, cl.RemoveNode("n1"), ErrNotFound, "")
	// A view of a removed node reports it, it does not crash.
	if ids := must(clone.Nodes()[0].AllocIDs()); len(ids) != 2 {
		t.Fatal("the clone changed with the cluster", ids)
	}
	_, err = n.Status()
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()
	_, err = n.Status()
	wantErr(t, err, ErrInvalid, "cluster is closed")
	_, err = NewPlan(cl)
	wantErr(t, err, ErrInvalid, "cluster is closed")
}

// One API of 3 CPU / 12Gi and three of 500m / 3Gi: 2 x inf1.2xlarge, proven optimal (PlanSummary.Optimal).
func TestPlanOptimal(t *testing.T) {
	cat := must(NewCatalog(0))
	defer cat.Close()
	cl := must(NewCluster())
	defer cl.Close()
	for _, typ := range []string{"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge"} {
		must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: typ, Type: typ, MaxNodes: 10}))
	}
	plan := must(NewPlan(cl))
	defer plan.Close()
	for i := 0; i < 4; i++ {
		r := NewRequest()
		r.CPUMilli, r.MemoryBytes = 500, 3<<30
		if i == 0 {
			r.CPUMilli, r.MemoryBytes = 3000, 12<<30
		}
		must(plan.AddAPI(APISpec{Name: "a" + strconv.Itoa(i), Request: r, Replicas: 1}))
	}
	if err := plan.Solve(); err != nil {
		t.Fatal(err)
	}
	s := must(plan.Summary())
	if !s.Optimal || s.Nodes != 2 || s.Gap != 0 || s.LowerBoundPerHour != s.PricePerHour ||
		math.Abs(s.PricePerHour-0.724) > 1e-9 {
		t.Fatal(s)
	}
}

func TestPlan(t *testing.T) {
	cat, cl := newCluster(t)
	defer cat.Close()
	defer cl.Close()
	plan := must(NewPlan(cl))
	defer plan.Close()
	_, err := plan.Summary()
	wantErr(t, err, ErrInvalid, "")
	if i := must(plan.AddAPI(APISpec{Name: "a", Request: inf(1, 1), Replicas: 3})); i != 0 {
		t.Fatal(i)
	}
	if i := must(plan.AddAPI(APISpec{Name: "b", Request: inf(4, 1), Replicas: 1, NodeGroups: []string{"small"}})); i != 1 {
		t.Fatal(i)
	}
	_, err = plan.AddAPI(APISpec{Name: "c", Request: inf(1, 1), Replicas: 1, NodeGroups: []string{"nope"}})
	wantErr(t, err, ErrNotFound, "")
	_, err = plan.AddAPI(APISpec{Name: "", Request: inf(1, 1), Replicas: 1})
	wantErr(t, err, ErrInvalid, "")
	if plan.APICount() != 2 || plan.APIName(1) != "b" || plan.APIName(9) != "" || plan.ReplicaCount() != 0 {
		t.Fatal(plan.APICount())
	}
	if plan.Cluster().NodeCount() != 0 {
		t.Fatal("base has nodes")
	}
	if err := plan.Solve(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, plan.Solve(), ErrInvalid, "")
	s := must(plan.Summary())
	if s.Replicas != 4 || s.Placed != 3 || s.Unplaced != 1 || s.Nodes < 1 || s.PricePerHour <= 0 ||
		s.LowerBoundPerHour > s.PricePerHour+1e-9 {
		t.Fatal(s)
	}
	reps := plan.Replicas()
	if len(reps) != 4 || plan.ReplicaCount() != 4 || reps[3] != (PlanReplica{API: 1, Replica: 0, Node: -1}) {
		t.Fatal(reps)
	}
	if r := must(plan.Replica(0)); r.Node < 0 || r.AllocID == 0 {
		t.Fatal(r)
	}
	_, err = plan.Replica(4)
	wantErr(t, err, ErrNotFound, "")
	count, reason, err := plan.Unplaced(1)
	if err != nil || count != 1 || reason == "" {
		t.Fatal(count, reason, err)
	}
	if count, reason, err := plan.Unplaced(0); err != nil || count != 0 || reason != "" {
		t.Fatal(count, reason, err)
	}
	_, _, err = plan.Unplaced(2)
	wantErr(t, err, ErrNotFound, "")
	if h := must(plan.Headroom(0)); h < 0 {
		t.Fatal(h)
	}
	_, err = plan.Headroom(5)
	wantErr(t, err, ErrNotFound, "")
	view := plan.Cluster()
	if view.NodeCount() != s.Nodes {
		t.Fatal(view.NodeCount(), s.Nodes)
	}
	if _, err := view.Dump(); err != nil {
		t.Fatal(err)
	}
	planned := must(view.Clone())
	defer planned.Close()
	plan.Close()
	plan.Close()
	_, err = view.Dump()
	wantErr(t, err, ErrInvalid, "plan is closed")
	if planned.NodeCount() != s.Nodes {
		t.Fatal("clone of the planned cluster")
	}
}

// TestConcurrent shares one catalog, cluster and plan between goroutines, readers and writers at once; run
// with -race.
func TestConcurrent(t *testing.T) {
	cat, cl := newCluster(t)
	defer cat.Close()
	defer cl.Close()
	for i := 0; i < 8; i++ {
		must(cl.AddNode("", "big"))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := cat.CheckRequest("inf1.6xlarge", inf(1, 1)); err != nil {
					errs <- err
					return
				}
				if g%2 == 0 {
					p, err := cl.Place(inf(1, 1), "big")
					if err != nil {
						errs <- err
						return
					}
					if err := cl.Release(p.Node, p.AllocID); err != nil {
						errs <- err
						return
					}
					node := must(cl.Node(g % cl.NodeCount())).Name
					p, err = cl.PlaceOn(node, inf(1, 1))
					if err != nil {
						errs <- err
						return
					}
					if err := cl.Release(p.Node, p.AllocID); err != nil {
						errs <- err
						return
					}
				} else {
					if _, err := cl.Dump(); err != nil {
						errs <- err
						return
					}
					for _, n := range cl.Nodes() {
						if _, err := n.Status(); err != nil {
							errs <- err
							return
						}
						if _, err := cl.ScoreNode(n.Name, inf(1, 1)); err != nil && !errors.Is(err, ErrFull) {
							errs <- err
							return
						}
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Close racing with use: every call either works or reports the closed handle.
	c2 := must(cl.Clone())
	var wg2 sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 50; i++ {
				if _, err := c2.Dump(); err != nil && !errors.Is(err, ErrInvalid) {
					t.Error(err)
				}
			}
		}()
	}
	c2.Close()
	wg2.Wait()
}

// TestLayout compares the struct sizes cgo sees (the ones the binding puts in `size`) with the layout program.
func TestLayout(t *testing.T) {
	path := os.Getenv("NCG_LAYOUT")
	if path == "" {
		t.Skip("NCG_LAYOUT not set (meson test sets it)")
	}
	out, err := exec.Command(path).Output()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[1] == "sizeof" {
			seen[f[0]] = must(strconv.Atoi(f[2]))
		}
	}
	sizes := cSizes()
	for name, size := range seen {
		if got, ok := sizes[name]; !ok || got != size {
			t.Errorf("%s: layout program %d, cgo %d (or not bound)", name, size, got)
		}
	}
	if len(seen) != len(sizes) {
		t.Errorf("layout program lists %d structs, the binding %d", len(seen), len(sizes))
	}
}

// TestFinalizers drops handles without Close: the finalizers free them (run under -race and, by hand, with
// GODEBUG=clobberfree=1).
func TestFinalizers(t *testing.T) {
	for i := 0; i < 100; i++ {
		cat := must(NewCatalog(0))
		node := must(NewNode(cat, "inf1.xlarge"))
		view := node.NodeView // a view keeps the handle alive on its own
		cl := must(NewCluster())
		must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "g", Type: "inf1.xlarge", MaxNodes: 1}))
		plan := must(NewPlan(cl))
		pv := plan.Cluster()
		runtime.GC()
		if view.TypeName() != "inf1.xlarge" || pv.NodeGroupCount() != 1 {
			t.Fatal("a view lost its handle")
		}
	}
	runtime.GC()
	runtime.GC()
}

func optionsPlan(t *testing.T) (*Plan, func()) {
	t.Helper()
	cat, cl := newCluster(t)
	plan := must(NewPlan(cl))
	cl.Close()
	cat.Close()
	r := inf(1, 4)
	r.CPUMilli, r.MemoryBytes = 3000, 4<<30
	must(plan.AddAPI(APISpec{Name: "resnet", Request: r, Replicas: 40}))
	r = inf(2, 1)
	r.CPUMilli, r.MemoryBytes = 1500, 6<<30
	must(plan.AddAPI(APISpec{Name: "bert", Request: r, Replicas: 25}))
	r = NewRequest()
	r.CPUMilli, r.MemoryBytes = 2000, 2<<30
	must(plan.AddAPI(APISpec{Name: "pre", Request: r, Replicas: 30}))
	return plan, func() { plan.Close() }
}

func TestPlanOptions(t *testing.T) {
	plan, done := optionsPlan(t)
	defer done()
	if o := must(plan.Options()); o != (PlanOptions{}) {
		t.Fatal(o)
	}
	want := PlanOptions{TimeLimit: 2.5, WorkLimit: 1e7, NoColGen: true}
	if err := plan.SetOptions(want); err != nil {
		t.Fatal(err)
	}
	if o := must(plan.Options()); o != want {
		t.Fatal(o)
	}
	wantErr(t, plan.SetOptions(PlanOptions{TimeLimit: math.Inf(1)}), ErrRange,
		"time_limit_s inf is not a finite number of seconds >= 0")
	if o := must(plan.Options()); o != want {
		t.Fatal("a failed SetOptions changed the options", o)
	}
	if err := plan.Solve(); err != nil {
		t.Fatal(err)
	}
	s := must(plan.Summary())
	if s.Stopped != PlanStopSkipped || s.Stopped.String() != "skipped" || s.Rounds != 0 || s.Patterns != 0 ||
		s.Converged || s.SolveSeconds < s.PackingSeconds || s.PackingSeconds < 0 || s.GenerationSeconds < 0 ||
		s.RoundingSeconds < 0 {
		t.Fatalf("%+v", s)
	}
	names := []string{}
	for st := PlanStopConverged; st <= PlanStopSearch; st++ {
		names = append(names, st.String())
	}
	if !reflect.DeepEqual(names, []string{"converged", "gap", "work", "time", "rounds", "skipped", "search"}) ||
		PlanStop(7).String() != "" || PlanStop(-1).String() != "" {
		t.Fatal(names)
	}
}

// TestPlanWorkLimit: the same input and work limit give the same plan; without options column generation runs.
func TestPlanWorkLimit(t *testing.T) {
	var dumps []string
	var sums []PlanSummary
	for i := 0; i < 2; i++ {
		plan, done := optionsPlan(t)
		if err := plan.SetOptions(PlanOptions{WorkLimit: 200000}); err != nil {
			t.Fatal(err)
		}
		if err := plan.Solve(); err != nil {
			t.Fatal(err)
		}
		s := must(plan.Summary())
		s.SolveSeconds, s.GenerationSeconds, s.RoundingSeconds, s.PackingSeconds = 0, 0, 0, 0
		sums = append(sums, s)
		dumps = append(dumps, must(plan.Cluster().Dump()))
		done()
	}
	if sums[0] != sums[1] || dumps[0] != dumps[1] {
		t.Fatalf("work-limited plans differ: %+v %+v", sums[0], sums[1])
	}
	plan, done := optionsPlan(t)
	defer done()
	if err := plan.Solve(); err != nil {
		t.Fatal(err)
	}
	s := must(plan.Summary())
	if s.Rounds < 1 || s.Patterns < 1 ||
		(s.Stopped != PlanStopConverged && s.Stopped != PlanStopGap && s.Stopped != PlanStopSearch) ||
		s.Converged != (s.Stopped == PlanStopConverged) || s.SolveSeconds <= 0 || s.SolveSeconds < s.GenerationSeconds ||
		s.PricePerHour < s.LowerBoundPerHour {
		t.Fatalf("%+v", s)
	}
}

func TestScoreNodeAndPlaceOn(t *testing.T) {
	cat, cl := newCluster(t) // small: inf1.2xlarge, big: inf1.6xlarge at 0.5/h
	defer cat.Close()
	defer cl.Close()
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "prio", Type: "inf1.6xlarge", MaxNodes: 10, Priority: 2}))
	for _, n := range [][2]string{{"s1", "small"}, {"b1", "big"}, {"b2", "big"}, {"p1", "prio"}} {
		must(cl.AddNode(n[0], n[1]))
	}
	if p := must(cl.PlaceOn("b1", inf(2, 1))); p != (Placement{"b1", 1, 1, 1}) {
		t.Fatal(p)
	}
	if p := must(cl.PlaceOn("p1", inf(3, 1))); p != (Placement{"p1", 3, 2, 1}) {
		t.Fatal(p)
	}
	before := must(cl.Dump())
	scores := map[string]NodeScore{}
	for _, n := range []string{"s1", "b1", "b2", "p1"} {
		scores[n] = must(cl.ScoreNode(n, inf(1, 1)))
	}
	if must(cl.Dump()) != before {
		t.Fatal("ScoreNode changed the cluster")
	}
	s := scores["s1"]
	if s.NodeIndex != 0 || s.NodeGroup != 0 || s.Priority != 0 || s.Leftover != 0 || s.Seq >= scores["b1"].Seq {
		t.Fatalf("%+v", s)
	}
	if b := scores["b1"]; b.NodeIndex != 1 || b.NodeGroup != 1 || b.Leftover != 1 {
		t.Fatalf("%+v", b)
	}
	if b := scores["b2"]; b.Leftover != 3 || b.FreeAfter <= scores["b1"].FreeAfter {
		t.Fatalf("%+v", b)
	}
	if p := scores["p1"]; p.Priority != 2 || p.Leftover != 0 {
		t.Fatalf("%+v", p)
	}
	// Priority first (p1), then the smallest leftover (s1 leaves 0 chips, b1 1, b2 3).
	list := []NodeScore{scores["b2"], scores["s1"], scores["p1"], scores["b1"]}
	sort.Slice(list, func(i, j int) bool { return list[i].Compare(list[j]) < 0 })
	if !reflect.DeepEqual(list, []NodeScore{scores["p1"], scores["s1"], scores["b1"], scores["b2"]}) {
		t.Fatalf("%+v", list)
	}
	if scores["b1"].Compare(scores["b1"]) != 0 || scores["b1"].Compare(scores["b2"]) >= 0 ||
		scores["b2"].Compare(scores["b1"]) <= 0 {
		t.Fatal("Compare")
	}
	// The same order in one call, ties sharing a rank.
	ranks, err := NodeScoreRank([]NodeScore{scores["b2"], scores["s1"], scores["p1"], scores["b1"], scores["s1"]})
	if err != nil || !reflect.DeepEqual(ranks, []int{3, 1, 0, 2, 1}) {
		t.Fatal(ranks, err)
	}
	if ranks, err := NodeScoreRank(nil); err != nil || len(ranks) != 0 {
		t.Fatal(ranks, err)
	}
	// Place takes the best score's node; PlaceOn the node it is given.
	if p := must(cl.Place(inf(1, 1))); p.Node != "p1" || p.NodeIndex != scores["p1"].NodeIndex {
		t.Fatal(p)
	}
	if p := must(cl.PlaceOn("b2", inf(1, 1))); p != (Placement{"b2", 2, 1, 1}) {
		t.Fatal(p)
	}
	if a := must(must(cl.Node(2)).Alloc(1)); a.FirstChip != 0 || a.ChipCount != 1 {
		t.Fatal(a)
	}
	// A plan's cluster can be scored too.
	plan := must(NewPlan(cl))
	defer plan.Close()
	if v := must(plan.Cluster().ScoreNode("b2", inf(1, 1))); v.NodeIndex != 2 || v.Leftover != 2 {
		t.Fatalf("%+v", v)
	}
}
