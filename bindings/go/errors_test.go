package ncg

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
)

// errOf drops a call's value and keeps its error.
func errOf[T any](_ T, err error) error { return err }

// errorCase is one (function, error) pair: the call, the sentinel its error must match with errors.Is, and the
// exact message.
type errorCase struct {
	fn   string
	call func() error
	want *Error
	msg  string
}

// TestEveryError calls every function of the binding once for each error it can return from Go, on shared
// handles, and checks the code (errors.Is and Code) and the exact message; then that the failed calls changed
// none of the handles. NCG_E_NOMEM is tested in C (tests/robust/test-nomem.c): Go cannot make malloc fail.
func TestEveryError(t *testing.T) {
	cat := must(NewCatalog(0))
	defer cat.Close()
	closedCat := must(NewCatalog(0))
	closedCat.Close()

	node := must(NewNode(cat, "inf1.6xlarge"))
	defer node.Close()
	r := inf(2, 4)
	r.CPUMilli = 1000
	a := must(node.Allocate(r))
	must(node.Adopt(&Request{PPR: 1, CPUMilli: 500}, "3", []string{"12-13", "14-15"}))
	closedNode := must(NewNode(cat, "inf1.xlarge"))
	closedNode.Close()
	trnNode := must(NewNode(cat, "trn2.48xlarge")) // LNC=2, the type's setting
	defer trnNode.Close()
	must(trnNode.Allocate(inf(1, 1)))
	lnc := func(r Request, l int) Request { r.LNC = l; return r }

	cl := must(NewCluster())
	defer cl.Close()
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "small", Type: "inf1.2xlarge", MaxNodes: 2}))
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "big", Type: "inf1.6xlarge", MaxNodes: 10, Priority: 1}))
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "trn", Type: "trn1.32xlarge", MaxNodes: 1}))
	for _, n := range [][2]string{{"s1", "small"}, {"s2", "small"}, {"b1", "big"}, {"t1", "trn"}} {
		must(cl.AddNode(n[0], n[1]))
	}
	must(cl.PlaceOn("s1", inf(1, 1)))
	must(cl.PlaceOn("s2", inf(1, 1)))
	must(cl.PlaceOn("b1", inf(1, 1)))
	must(cl.PlaceOn("t1", inf(8, 1)))
	if err := cl.SetPolicy("trn", PolicyFirstFit); err != nil {
		t.Fatal(err)
	}
	// s1 is UltraServer u1's position 0 (2.3).
	if err := cl.SetNodeUltraServer("s1", "u1", 0); err != nil {
		t.Fatal(err)
	}
	closedCl := must(NewCluster())
	closedCl.Close()

	plan := must(NewPlan(cl))
	defer plan.Close()
	must(plan.AddAPI(APISpec{Name: "a", Request: inf(1, 1), Replicas: 2}))
	solved := must(NewPlan(cl))
	defer solved.Close()
	must(solved.AddAPI(APISpec{Name: "a", Request: inf(1, 1), Replicas: 2}))
	must(solved.AddAPI(APISpec{Name: "huge", Request: inf(32, 1), Replicas: 1}))
	if err := solved.Solve(); err != nil {
		t.Fatal(err)
	}
	closedPlan := must(NewPlan(cl))
	closedPlan.Close()

	withModel := func(r Request, m ...Model) Request { r.Models = m; return r }
	cpu := func(milli int64) Request { r := NewRequest(); r.CPUMilli = milli; return r }
	cores := func(n, ppr int64) Request { r := NewRequest(); r.NeuronCores, r.PPR = n, ppr; return r }
	both := inf(1, 1)
	both.NeuronCores = 1
	badModel := withModel(inf(1, 4), Model{Name: "m", Bytes: 1 << 30, CompiledCores: 2})
	nulModel := withModel(inf(1, 1), Model{Name: "a\x00b"})
	okType := Type{Name: "x1.big", Accelerator: AccelInferentia, Chips: 2, CoresPerChip: 4, DeviceMemoryBytes: 8 << 30,
		CPUMilli: 8000, MemoryBytes: 32 << 30, Topology: TopologyChain}
	badName, badChips, badPrice := okType, okType, okType
	badName.Name = "bad name!"
	badChips.Chips = 0
	badPrice.HasPrice, badPrice.USDPerHour = true, math.Inf(1)
	reserve := must(cat.Reserve())
	badReserve := reserve
	badReserve.MemoryBytes = -1

	// A state whose two allocations hold the same chip.
	overlapping := "ncg-cluster 2\n" +
		"nodegroup g 0 1000000 - inf1.xlarge 1 1 4 0 8589934592 0 4000 8589934592 0 0 0.228 3190 7331643392 402653184 0 0\n" +
		"node a g 0 3\nalloc 1 1 0 4 1 - 200 0 0 0\nalloc 2 1 0 4 1 - 200 0 0 0\nend\n"

	cases := []errorCase{
		// Quantities and env strings.
		{"ParseCPU", func() error { return errOf(ParseCPU("abc")) }, ErrParse, "invalid CPU quantity \"abc\": expected a number with an optional \"m\" suffix, such as 1, 1.5 or 500m"},
		{"ParseCPU", func() error { return errOf(ParseCPU("99999999999999999")) }, ErrRange, "invalid CPU quantity \"99999999999999999\": too large"},
		{"ParseCPU", func() error { return errOf(ParseCPU("1\x00")) }, ErrInvalid, "CPU quantity contains a NUL byte"},
		{"ParseMemory", func() error { return errOf(ParseMemory("4 Gi")) }, ErrParse, "invalid memory quantity \"4 Gi\": expected a number of bytes with an optional suffix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi or Ei, such as 4G, 4Gi or 512Mi"},
		{"ParseMemory", func() error { return errOf(ParseMemory("99999999E")) }, ErrRange, "invalid memory quantity \"99999999E\": too large"},
		{"ParseMemory", func() error { return errOf(ParseMemory("\x00")) }, ErrInvalid, "memory quantity contains a NUL byte"},
		{"FormatCPU", func() error { return errOf(FormatCPU(-1)) }, ErrRange, "cpu -1m must not be negative"},
		{"FormatMemory", func() error { return errOf(FormatMemory(-1)) }, ErrRange, "memory -1 bytes must not be negative"},
		{"ParseVisibleCores", func() error { _, _, err := ParseVisibleCores("6-3", 0); return err }, ErrParse, "NEURON_RT_VISIBLE_CORES \"6-3\" is not increasing: range 6-3 goes down"},
		{"ParseVisibleCores", func() error { _, _, err := ParseVisibleCores("3-6", 4); return err }, ErrRange, "NEURON_RT_VISIBLE_CORES \"3-6\" names core 6 but the node has 4 (0-3)"},
		{"ParseVisibleCores", func() error { _, _, err := ParseVisibleCores("3\x00", 0); return err }, ErrInvalid, "id list contains a NUL byte"},
		{"ParseVisibleDevices", func() error { _, _, err := ParseVisibleDevices("1,3", 0); return err }, ErrParse, "AWS_NEURON_VISIBLE_DEVICES \"1,3\" is not contiguous: 3 follows 1"},
		{"ParseVisibleDevices", func() error { _, _, err := ParseVisibleDevices("4", 4); return err }, ErrRange, "AWS_NEURON_VISIBLE_DEVICES \"4\" names device 4 but the node has 4 (0-3)"},
		{"ParseVisibleDevices", func() error { _, _, err := ParseVisibleDevices("\x00", 0); return err }, ErrInvalid, "id list contains a NUL byte"},
		{"ParseCoreGroupSizes", func() error { return errOf(ParseCoreGroupSizes("2,,4")) }, ErrParse, "NEURONCORE_GROUP_SIZES \"2,,4\" is malformed at character 3: expected a group size"},
		{"ParseCoreGroupSizes", func() error { return errOf(ParseCoreGroupSizes("0")) }, ErrRange, "NEURONCORE_GROUP_SIZES \"0\": group size 0 is out of range 1..256"},
		{"ParseCoreGroupSizes", func() error { return errOf(ParseCoreGroupSizes("\x00")) }, ErrInvalid, "NEURONCORE_GROUP_SIZES contains a NUL byte"},
		{"FormatIDs", func() error { return errOf(FormatIDs(-1, 2, true)) }, ErrRange, "ids -1 (+2) are out of range: first 0..999999, count >= 1"},
		{"FormatIDs", func() error { return errOf(FormatIDs(0, 0, false)) }, ErrRange, "ids 0 (+0) are out of range: first 0..999999, count >= 1"},
		{"PPRCheck", func() error { return errOf(PPRCheck(AccelInferentia, 4, 2, 3)) }, ErrPPR, "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, 4, or 8"},
		{"PPRCheck", func() error { return errOf(PPRCheck(AccelGPU, 4, 1, 1)) }, ErrInvalid, "accelerator 3 has no NeuronCores (expected inferentia or trainium)"},
		{"PPRCheck", func() error { return errOf(PPRCheck(AccelTrainium, 2, 1, 0)) }, ErrRange, "processes_per_replica 0 is out of range 1..1000000"},
		{"PPRValues", func() error { return errOf(PPRValues(0)) }, ErrRange, "total NeuronCores 0 is out of range 1..2147483647"},
		{"Request.SetCPU", func() error { r := NewRequest(); return r.SetCPU("1x") }, ErrParse, "invalid CPU quantity \"1x\": expected a number with an optional \"m\" suffix, such as 1, 1.5 or 500m"},
		{"Request.SetCPU", func() error { r := NewRequest(); return r.SetCPU("-1") }, ErrRange, "invalid CPU quantity \"-1\": must not be negative"},
		{"Request.SetMemory", func() error { r := NewRequest(); return r.SetMemory("1Qi") }, ErrParse, "invalid memory quantity \"1Qi\": expected a number of bytes with an optional suffix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi or Ei, such as 4G, 4Gi or 512Mi"},
		{"Request.SetMemory", func() error { r := NewRequest(); return r.SetMemory("99999999E") }, ErrRange, "invalid memory quantity \"99999999E\": too large"},
		{"Request.SetHugepages", func() error { r := NewRequest(); return r.SetHugepages("x") }, ErrParse, "invalid memory quantity \"x\": expected a number of bytes with an optional suffix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi or Ei, such as 4G, 4Gi or 512Mi"},
		{"Request.SetHugepages", func() error { r := NewRequest(); return r.SetHugepages("99999999E") }, ErrRange, "invalid memory quantity \"99999999E\": too large"},

		// Catalog.
		{"NewCatalog", func() error { return errOf(NewCatalog(CatalogNeuron)) }, ErrInvalid, "catalog_new: flags 0x2 has unknown bits"},
		{"NewCatalogRegion", func() error { return errOf(NewCatalogRegion("mars-north-1", 0)) }, ErrNotFound, "unknown region \"mars-north-1\" (the catalog knows 23 regions, af-south-1 to us-west-2)"},
		{"NewCatalogRegion", func() error { return errOf(NewCatalogRegion("us-east-1", 1<<5)) }, ErrInvalid, "catalog_new_region: flags 0x20 has unknown bits"},
		{"NewCatalogRegion", func() error { return errOf(NewCatalogRegion("us\x00", 0)) }, ErrInvalid, "region contains a NUL byte"},
		{"Catalog.Type", func() error { return errOf(cat.Type(14)) }, ErrNotFound, "type index 14 is out of range 0..13"},
		{"Catalog.Type", func() error { return errOf(closedCat.Type(0)) }, ErrInvalid, "catalog is closed"},
		{"Catalog.FindType", func() error { _, _, err := cat.FindType("no.such"); return err }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.FindType", func() error { _, _, err := closedCat.FindType("inf1.xlarge"); return err }, ErrInvalid, "catalog is closed"},
		{"Catalog.SetType", func() error { return errOf(cat.SetType(badName)) }, ErrInvalid, "type name \"bad name!\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'"},
		{"Catalog.SetType", func() error { return errOf(cat.SetType(badChips)) }, ErrRange, "type x1.big: chips 0 is out of range 1..64"},
		{"Catalog.SetType", func() error { return errOf(cat.SetType(badPrice)) }, ErrRange, "type x1.big: usd_per_hour inf must be finite and >= 0"},
		{"Catalog.SetType", func() error { return errOf(closedCat.SetType(okType)) }, ErrInvalid, "catalog is closed"},
		{"Catalog.RemoveType", func() error { return cat.RemoveType("no.such") }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.RemoveType", func() error { return closedCat.RemoveType("inf1.xlarge") }, ErrInvalid, "catalog is closed"},
		{"Catalog.SetPrice", func() error { return cat.SetPrice("inf1.xlarge", true, -1) }, ErrRange, "type inf1.xlarge: usd_per_hour -1 must be finite and >= 0"},
		{"Catalog.SetPrice", func() error { return cat.SetPrice("no.such", true, 1) }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.SetPrice", func() error { return closedCat.SetPrice("inf1.xlarge", false, 0) }, ErrInvalid, "catalog is closed"},
		{"Catalog.Reserve", func() error { return errOf(closedCat.Reserve()) }, ErrInvalid, "catalog is closed"},
		{"Catalog.SetReserve", func() error { return cat.SetReserve(badReserve) }, ErrRange, "reserve memory_bytes -1 is out of range 0..1125899906842624"},
		{"Catalog.SetReserve", func() error { return closedCat.SetReserve(reserve) }, ErrInvalid, "catalog is closed"},
		{"Catalog.Usable", func() error { _, _, err := cat.Usable("no.such"); return err }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.Usable", func() error { _, _, err := closedCat.Usable("inf1.xlarge"); return err }, ErrInvalid, "catalog is closed"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("inf1.6xlarge", both)) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("inf1.6xlarge", inf(-1, 1))) }, ErrRange, "inf -1 is out of range 0..1000000"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("no.such", inf(1, 1))) }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("inf1.6xlarge", inf(2, 3))) }, ErrPPR, "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, 4, or 8"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("inf1.xlarge", inf(2, 1))) }, ErrNoFit, "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have 1 Inf available"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("trn1.32xlarge", inf(3, 1))) }, ErrTopology, "Instance type trn1.32xlarge does not support requests for device: 3. Please request a different number of devices."},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("inf1.6xlarge", badModel)) }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Catalog.CheckRequest", func() error { return errOf(cat.CheckRequest("inf1.6xlarge", nulModel)) }, ErrInvalid, "model name contains a NUL byte"},
		{"Catalog.CheckRequest", func() error { return errOf(closedCat.CheckRequest("", inf(1, 1))) }, ErrInvalid, "catalog is closed"},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("inf1.6xlarge", both); return err }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("inf1.6xlarge", cpu(-1)); return err }, ErrRange, "cpu -1m must be >= 0"},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("no.such", inf(1, 1)); return err }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("inf1.6xlarge", inf(1, 3)); return err }, ErrPPR, "cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4"},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("inf1.xlarge", inf(2, 1)); return err }, ErrNoFit, "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have 1 Inf available"},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("trn1.32xlarge", inf(5, 1)); return err }, ErrTopology, "Instance type trn1.32xlarge does not support requests for device: 5. Please request a different number of devices."},
		{"Catalog.Advice", func() error { _, _, err := cat.Advice("inf1.6xlarge", badModel); return err }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Catalog.Advice", func() error { _, _, err := closedCat.Advice("inf1.6xlarge", inf(1, 1)); return err }, ErrInvalid, "catalog is closed"},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("inf1.6xlarge", both)) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("inf1.6xlarge", cores(-2, 1))) }, ErrRange, "neuroncores -2 is out of range 0..1000000"},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("no.such", inf(1, 1))) }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("inf1.6xlarge", inf(2, 3))) }, ErrPPR, "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, 4, or 8"},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("inf1.xlarge", inf(2, 1))) }, ErrNoFit, "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have 1 Inf available"},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("trn1.32xlarge", inf(6, 1))) }, ErrTopology, "Instance type trn1.32xlarge does not support requests for device: 6. Please request a different number of devices."},
		{"Catalog.Layout", func() error { return errOf(cat.Layout("inf1.6xlarge", badModel)) }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Catalog.Layout", func() error { return errOf(closedCat.Layout("inf1.6xlarge", inf(1, 1))) }, ErrInvalid, "catalog is closed"},

		// Nodes.
		{"NewNode", func() error { return errOf(NewNode(cat, "no.such")) }, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"NewNode", func() error { return errOf(NewNode(cat, "inf1\x00")) }, ErrInvalid, "type name contains a NUL byte"},
		{"NewNode", func() error { return errOf(NewNode(closedCat, "inf1.xlarge")) }, ErrInvalid, "catalog is closed"},
		{"Node.Clone", func() error { return errOf(closedNode.Clone()) }, ErrInvalid, "node is closed"},
		{"Node.SetLNC", func() error { return trnNode.SetLNC(3) }, ErrRange, "lnc 3 is out of range 1..2"},
		{"Node.SetLNC", func() error { return node.SetLNC(1) }, ErrRange, "lnc 1: inf1.6xlarge has no Logical NeuronCore setting (its 4 NeuronCores per chip are physical cores)"},
		{"Node.SetLNC", func() error { return trnNode.SetLNC(1) }, ErrInvalid, "node_set_lnc: the node has 1 allocation; its Logical NeuronCore setting changes only while it is empty"},
		{"Node.SetLNC", func() error { return closedNode.SetLNC(1) }, ErrInvalid, "node is closed"},
		{"Node.SetPolicy", func() error { return node.SetPolicy(Policy(7)) }, ErrInvalid, "policy 7 is not a known ncg_policy"},
		{"Node.SetPolicy", func() error { return closedNode.SetPolicy(PolicyPack) }, ErrInvalid, "node is closed"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(both)) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(cpu(-1))) }, ErrRange, "cpu -1m must be >= 0"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(inf(1, 3))) }, ErrPPR, "cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(inf(5, 1))) }, ErrNoFit, "requested 5 chips but inf1.6xlarge has 4"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(badModel)) }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(inf(2, 1))) }, ErrFull, "no free window of 2 chips on inf1.6xlarge: free chips 2, largest free window 1"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(nulModel)) }, ErrInvalid, "model name contains a NUL byte"},
		{"Node.Allocate", func() error { return errOf(trnNode.Allocate(lnc(inf(1, 1), 1))) }, ErrLNC, "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)"},
		{"Node.Allocate", func() error { return errOf(node.Allocate(lnc(inf(1, 1), 2))) }, ErrLNC, "the request asks for LNC=2 but inf1.6xlarge has no Logical NeuronCore setting (its NeuronCores are physical: LNC=1)"},
		{"Node.Allocate", func() error { return errOf(trnNode.Allocate(lnc(inf(1, 1), 3))) }, ErrRange, "lnc 3 is out of range 0..2 (0: any Logical NeuronCore setting)"},
		{"Node.Allocate", func() error { return errOf(closedNode.Allocate(inf(1, 1))) }, ErrInvalid, "node is closed"},
		{"Node.Adopt", func() error { return errOf(node.Adopt(nil, "", nil)) }, ErrInvalid, "adopt: give AWS_NEURON_VISIBLE_DEVICES, NEURON_RT_VISIBLE_CORES or both"},
		{"Node.Adopt", func() error { return errOf(node.Adopt(nil, "x", nil)) }, ErrParse, "AWS_NEURON_VISIBLE_DEVICES \"x\" is malformed at character 1: expected a device id"},
		{"Node.Adopt", func() error { return errOf(node.Adopt(nil, "4", nil)) }, ErrRange, "AWS_NEURON_VISIBLE_DEVICES \"4\" names device 4 but the node has 4 (0-3)"},
		{"Node.Adopt", func() error { return errOf(node.Adopt(nil, "3", nil)) }, ErrOverlap, "adopt: devices 3 overlap chips in use on inf1.6xlarge"},
		{"Node.Adopt", func() error { r := cpu(1 << 40); return errOf(node.Adopt(&r, "2", nil)) }, ErrFull, "adopt: not enough CPU on inf1.6xlarge: requested 1099511627776m but 21690m is free"},
		{"Node.Adopt", func() error {
			r := withModel(NewRequest(), Model{Name: "m", Bytes: 1, CompiledCores: 4})
			return errOf(node.Adopt(&r, "2", []string{"8-9", "10-11"}))
		}, ErrModel, "model \"m\" is compiled for 4 NeuronCores but its NeuronCore Group has 2: lower processes_per_replica, request more chips, or recompile for 2 NeuronCores"},
		{"Node.Adopt", func() error { return errOf(node.Adopt(nil, "2", []string{"8-\x00"})) }, ErrInvalid, "visible cores contains a NUL byte"},
		{"Node.Adopt", func() error { return errOf(closedNode.Adopt(nil, "0", nil)) }, ErrInvalid, "node is closed"},
		{"Node.Release", func() error { return node.Release(1 << 40) }, ErrNotFound, "no allocation 1099511627776 on this inf1.6xlarge node"},
		{"Node.Release", func() error { return closedNode.Release(1) }, ErrInvalid, "node is closed"},
		{"Node.Check", func() error { return node.Check(both) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Node.Check", func() error { return node.Check(cpu(-1)) }, ErrRange, "cpu -1m must be >= 0"},
		{"Node.Check", func() error { return node.Check(inf(1, 3)) }, ErrPPR, "cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4"},
		{"Node.Check", func() error { return node.Check(inf(5, 1)) }, ErrNoFit, "requested 5 chips but inf1.6xlarge has 4"},
		{"Node.Check", func() error { return node.Check(badModel) }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Node.Check", func() error { return node.Check(inf(2, 1)) }, ErrFull, "no free window of 2 chips on inf1.6xlarge: free chips 2, largest free window 1"},
		{"Node.Check", func() error { return trnNode.Check(lnc(inf(1, 1), 1)) }, ErrLNC, "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)"},
		{"Node.Check", func() error { return closedNode.Check(inf(1, 1)) }, ErrInvalid, "node is closed"},
		{"Node.Alloc", func() error { return errOf(node.Alloc(99)) }, ErrNotFound, "no allocation 99 on this inf1.6xlarge node"},
		{"Node.Alloc", func() error { return errOf(closedNode.Alloc(1)) }, ErrInvalid, "node is closed"},
		{"Node.AllocIDs", func() error { return errOf(closedNode.AllocIDs()) }, ErrInvalid, "node is closed"},
		{"Node.CoreGroups", func() error { return errOf(node.CoreGroups(99)) }, ErrNotFound, "no allocation 99 on this inf1.6xlarge node"},
		{"Node.CoreGroups", func() error { return errOf(closedNode.CoreGroups(1)) }, ErrInvalid, "node is closed"},
		{"Node.Env", func() error { return errOf(node.Env(99, 0)) }, ErrNotFound, "no allocation 99 on this inf1.6xlarge node"},
		{"Node.Env", func() error { return errOf(node.Env(a.ID, 4)) }, ErrNotFound, "allocation 1 has no process 4 (processes 0..3)"},
		{"Node.Env", func() error { return errOf(closedNode.Env(1, 0)) }, ErrInvalid, "node is closed"},
		{"Node.Status", func() error { return errOf(closedNode.Status()) }, ErrInvalid, "node is closed"},
		{"Node.ChipCache", func() error { return errOf(node.ChipCache(4)) }, ErrNotFound, "chip 4 is out of range for inf1.6xlarge (4 chips)"},
		{"Node.ChipCache", func() error { return errOf(closedNode.ChipCache(0)) }, ErrInvalid, "node is closed"},
		{"Node.CoreGroupCache", func() error { _, _, err := node.CoreGroupCache(99, 0); return err }, ErrNotFound, "no allocation 99 on this inf1.6xlarge node"},
		{"Node.CoreGroupCache", func() error { _, _, err := node.CoreGroupCache(a.ID, 4); return err }, ErrNotFound, "allocation 1 has no NeuronCore Group 4"},
		{"Node.CoreGroupCache", func() error { _, _, err := closedNode.CoreGroupCache(1, 0); return err }, ErrInvalid, "node is closed"},

		// Clusters.
		{"RestoreCluster", func() error { return errOf(RestoreCluster("nonsense\n")) }, ErrParse, "cluster state line 1: expected the header \"ncg-cluster 2\""},
		{"RestoreCluster", func() error { return errOf(RestoreCluster(overlapping)) }, ErrOverlap, "cluster state line 5: chip 0 overlaps chips in use on inf1.xlarge"},
		{"RestoreCluster", func() error { return errOf(RestoreCluster("\x00")) }, ErrInvalid, "state text contains a NUL byte"},
		{"Cluster.Clone", func() error { return errOf(closedCl.Clone()) }, ErrInvalid, "cluster is closed"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "bad name", Type: "inf1.xlarge", MaxNodes: 1}))
		}, ErrInvalid, "node group name \"bad name\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "x", Type: "inf1.xlarge", MinNodes: 2, MaxNodes: 1}))
		}, ErrRange, "node group x: min_instances 2 and max_instances 1 must satisfy 0 <= min <= max <= 1000000"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "x", Type: "trn2.48xlarge", MaxNodes: 1, LNC: 3}))
		}, ErrRange, "node group x: lnc 3 is out of range 1..2"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "x", Type: "inf1.xlarge", MaxNodes: 1, LNC: 1}))
		}, ErrRange, "node group x: lnc 1: inf1.xlarge has no Logical NeuronCore setting (its 4 NeuronCores per chip are physical cores)"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "x", Type: "no.such", MaxNodes: 1}))
		}, ErrUnknownType, "unknown instance type \"no.such\" in us-east-1"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "big", Type: "inf1.xlarge", MaxNodes: 1}))
		}, ErrExists, "node group big exists already"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(cl.AddNodeGroup(closedCat, NodeGroupSpec{Name: "x", Type: "inf1.xlarge", MaxNodes: 1}))
		}, ErrInvalid, "catalog is closed"},
		{"Cluster.AddNodeGroup", func() error {
			return errOf(closedCl.AddNodeGroup(cat, NodeGroupSpec{Name: "x", Type: "inf1.xlarge", MaxNodes: 1}))
		}, ErrInvalid, "cluster is closed"},
		{"Cluster.NodeGroup", func() error { _, _, err := cl.NodeGroup(3); return err }, ErrNotFound, "node group index 3 is out of range 0..2"},
		{"Cluster.NodeGroup", func() error { _, _, err := closedCl.NodeGroup(0); return err }, ErrInvalid, "cluster is closed"},
		{"Cluster.SetPolicy", func() error { return cl.SetPolicy("big", Policy(9)) }, ErrInvalid, "cluster_set_policy: policy 9 is not a known ncg_policy"},
		{"Cluster.SetPolicy", func() error { return cl.SetPolicy("nope", PolicyPack) }, ErrNotFound, "unknown node group \"nope\""},
		{"Cluster.SetPolicy", func() error { return closedCl.SetPolicy("", PolicyPack) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Policy", func() error { return errOf(cl.Policy("")) }, ErrInvalid, "cluster_get_policy: node groups small and trn have different policies; name one"},
		{"Cluster.Policy", func() error { return errOf(cl.Policy("nope")) }, ErrNotFound, "unknown node group \"nope\""},
		{"Cluster.Policy", func() error { return errOf(closedCl.Policy("")) }, ErrInvalid, "cluster is closed"},
		{"Cluster.AddNode", func() error { return errOf(cl.AddNode("bad name", "big")) }, ErrInvalid, "node name \"bad name\" is not valid: 1 to 253 characters of A-Z, a-z, 0-9, '.', '_' and '-'"},
		{"Cluster.AddNode", func() error { return errOf(cl.AddNode("x", "nope")) }, ErrNotFound, "unknown node group \"nope\""},
		{"Cluster.AddNode", func() error { return errOf(cl.AddNode("b1", "big")) }, ErrExists, "node b1 exists already"},
		{"Cluster.AddNode", func() error { return errOf(cl.AddNode("", "small")) }, ErrRange, "node group small has max_instances 2 nodes already"},
		{"Cluster.AddNode", func() error { return errOf(closedCl.AddNode("", "small")) }, ErrInvalid, "cluster is closed"},
		{"Cluster.RemoveNode", func() error { return cl.RemoveNode("nope") }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.RemoveNode", func() error { return closedCl.RemoveNode("b1") }, ErrInvalid, "cluster is closed"},
		{"Cluster.Node", func() error { return errOf(cl.Node(4)) }, ErrNotFound, "node index 4 is out of range 0..3"},
		{"Cluster.Node", func() error { return errOf(closedCl.Node(0)) }, ErrInvalid, "cluster is closed"},
		{"Cluster.FindNode", func() error { return errOf(cl.FindNode("nope")) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.FindNode", func() error { return errOf(closedCl.FindNode("b1")) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Place", func() error { return errOf(cl.Place(both)) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Cluster.Place", func() error { return errOf(cl.Place(inf(-1, 1))) }, ErrRange, "inf -1 is out of range 0..1000000"},
		{"Cluster.Place", func() error { return errOf(cl.Place(inf(1, 1), "nope")) }, ErrNotFound, "unknown node group \"nope\""},
		{"Cluster.Place", func() error { return errOf(cl.Place(inf(1, 1), "small")) }, ErrFull, "no node can take the replica: node group small: 2 nodes, max_instances 2 reached: 2 without a free window of 1 chips"},
		{"Cluster.Place", func() error { return errOf(cl.Place(inf(1, 3), "big")) }, ErrFull, "no node can take the replica: node group big: cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4"},
		{"Cluster.Place", func() error { return errOf(cl.Place(inf(2, 1), "small")) }, ErrFull, "no node can take the replica: node group small: no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have 1 Inf available"},
		{"Cluster.Place", func() error { return errOf(cl.Place(inf(3, 1), "trn")) }, ErrFull, "no node can take the replica: node group trn: Instance type trn1.32xlarge does not support requests for device: 3. Please request a different number of devices."},
		{"Cluster.Place", func() error { return errOf(cl.Place(badModel, "big")) }, ErrFull, "no node can take the replica: node group big: model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Cluster.Place", func() error { return errOf(closedCl.Place(inf(1, 1))) }, ErrInvalid, "cluster is closed"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("b1", both)) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("b1", cpu(-5))) }, ErrRange, "cpu -5m must be >= 0"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("nope", inf(1, 1))) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("s1", inf(1, 1))) }, ErrFull, "no free window of 1 chips on inf1.2xlarge: free chips none, largest free window 0"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("b1", inf(1, 3))) }, ErrPPR, "cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("s1", inf(2, 1))) }, ErrNoFit, "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have 1 Inf available"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("t1", inf(3, 1))) }, ErrTopology, "Instance type trn1.32xlarge does not support requests for device: 3. Please request a different number of devices."},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("t1", lnc(inf(1, 1), 2))) }, ErrLNC, "the request asks for LNC=2 but trn1.32xlarge has no Logical NeuronCore setting (its NeuronCores are physical: LNC=1)"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("b1", badModel)) }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Cluster.ScoreNode", func() error { return errOf(cl.ScoreNode("b\x00", inf(1, 1))) }, ErrInvalid, "node name contains a NUL byte"},
		{"Cluster.ScoreNode", func() error { return errOf(closedCl.ScoreNode("b1", inf(1, 1))) }, ErrInvalid, "cluster is closed"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("b1", both)) }, ErrInvalid, "inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("b1", cpu(-5))) }, ErrRange, "cpu -5m must be >= 0"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("nope", inf(1, 1))) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("s1", inf(1, 1))) }, ErrFull, "no free window of 1 chips on inf1.2xlarge: free chips none, largest free window 0"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("b1", inf(1, 3))) }, ErrPPR, "cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("s1", inf(2, 1))) }, ErrNoFit, "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have 1 Inf available"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("t1", inf(3, 1))) }, ErrTopology, "Instance type trn1.32xlarge does not support requests for device: 3. Please request a different number of devices."},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("t1", lnc(inf(1, 1), 2))) }, ErrLNC, "the request asks for LNC=2 but trn1.32xlarge has no Logical NeuronCore setting (its NeuronCores are physical: LNC=1)"},
		{"Cluster.PlaceOn", func() error { return errOf(cl.PlaceOn("b1", badModel)) }, ErrModel, "model \"m\" is compiled for 2 NeuronCores but its NeuronCore Group has 1: lower processes_per_replica, request more chips, or recompile for 1 NeuronCores"},
		{"Cluster.PlaceOn", func() error { return errOf(closedCl.PlaceOn("b1", inf(1, 1))) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Release", func() error { return cl.Release("b1", 99) }, ErrNotFound, "no allocation 99 on this inf1.6xlarge node"},
		{"Cluster.Release", func() error { return cl.Release("nope", 1) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.Release", func() error { return closedCl.Release("b1", 1) }, ErrInvalid, "cluster is closed"},
		{"Cluster.SetNodeUltraServer", func() error { return cl.SetNodeUltraServer("s2", "u1", 4) }, ErrRange, "UltraServer position 4 is out of range 0..3"},
		{"Cluster.SetNodeUltraServer", func() error { return cl.SetNodeUltraServer("s2", "u1", 0) }, ErrExists, "node s1 is at position 0 of UltraServer u1 already"},
		{"Cluster.SetNodeUltraServer", func() error { return cl.SetNodeUltraServer("s2", "a b", 0) }, ErrInvalid, "UltraServer id \"a b\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'"},
		{"Cluster.SetNodeUltraServer", func() error { return cl.SetNodeUltraServer("nope", "u1", 1) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.SetNodeUltraServer", func() error { return cl.SetNodeUltraServer("s\x00", "u1", 1) }, ErrInvalid, "node name contains a NUL byte"},
		{"Cluster.SetNodeUltraServer", func() error { return cl.SetNodeUltraServer("s2", "u\x00", 1) }, ErrInvalid, "UltraServer id contains a NUL byte"},
		{"Cluster.SetNodeUltraServer", func() error { return closedCl.SetNodeUltraServer("s2", "u1", 1) }, ErrInvalid, "cluster is closed"},
		{"Cluster.NodeUltraServer", func() error { _, _, err := cl.NodeUltraServer(4); return err }, ErrNotFound, "node index 4 is out of range 0..3"},
		{"Cluster.NodeUltraServer", func() error { _, _, err := cl.NodeUltraServer(-1); return err }, ErrNotFound, "node index -1 is out of range 0..3"},
		{"Cluster.NodeUltraServer", func() error { _, _, err := closedCl.NodeUltraServer(0); return err }, ErrInvalid, "cluster is closed"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(inf(1, 1), 3, "small")) }, ErrRange, "servers 3 is not 1, 2 or 4 (the sets of an UltraServer)"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(inf(-1, 1), 1, "small")) }, ErrRange, "inf -1 is out of range 0..1000000"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(inf(1, 1), 1)) }, ErrInvalid, "a replica of whole servers takes every chip of a server: inf 1 is not the 4 chips of inf1.6xlarge"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(cores(4, 1), 1, "small")) }, ErrInvalid, "a replica of whole servers asks for inf (every chip of a server), not 0 chips and 4 NeuronCores"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(inf(1, 1), 1, "nope")) }, ErrNotFound, "no node group \"nope\" in the cluster"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(inf(1, 1), 1, "small")) }, ErrFull, "no UltraServer of the allowed node groups has 1 whole server free for the replica (1 UltraServer, 1 of the 4 nodes in one)"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(cl.PlaceUltraServer(inf(1, 1), 1, "s\x00")) }, ErrInvalid, "node group name contains a NUL byte"},
		{"Cluster.PlaceUltraServer", func() error { return errOf(closedCl.PlaceUltraServer(inf(1, 1), 1)) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Env", func() error { return errOf(cl.Env("nope", 1, 0)) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.Env", func() error { return errOf(cl.Env("b1", 99, 0)) }, ErrNotFound, "no allocation 99 on this inf1.6xlarge node"},
		{"Cluster.Env", func() error { return errOf(cl.Env("b1", 1, 4)) }, ErrNotFound, "allocation 1 has no process 4 (processes 0..0)"},
		{"Cluster.Env", func() error { return errOf(cl.Env("b\x00", 1, 0)) }, ErrInvalid, "node name contains a NUL byte"},
		{"Cluster.Env", func() error { return errOf(closedCl.Env("b1", 1, 0)) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Adopt", func() error { return errOf(cl.Adopt("nope", nil, "0", nil)) }, ErrNotFound, "no node \"nope\" in the cluster"},
		{"Cluster.Adopt", func() error { return errOf(cl.Adopt("b1", nil, "", nil)) }, ErrInvalid, "adopt: give AWS_NEURON_VISIBLE_DEVICES, NEURON_RT_VISIBLE_CORES or both"},
		{"Cluster.Adopt", func() error { return errOf(cl.Adopt("b1", nil, "0-", nil)) }, ErrParse, "AWS_NEURON_VISIBLE_DEVICES \"0-\" is malformed at character 3: expected a device id"},
		{"Cluster.Adopt", func() error { return errOf(cl.Adopt("b1", nil, "4", nil)) }, ErrRange, "AWS_NEURON_VISIBLE_DEVICES \"4\" names device 4 but the node has 4 (0-3)"},
		{"Cluster.Adopt", func() error { return errOf(cl.Adopt("b1", nil, "0", nil)) }, ErrOverlap, "adopt: devices 0 overlap chips in use on inf1.6xlarge"},
		{"Cluster.Adopt", func() error { r := cpu(1 << 40); return errOf(cl.Adopt("b1", &r, "2", nil)) }, ErrFull, "adopt: not enough CPU on inf1.6xlarge: requested 1099511627776m but 22990m is free"},
		{"Cluster.Adopt", func() error {
			r := withModel(NewRequest(), Model{Name: "m", Bytes: 1, CompiledCores: 4})
			return errOf(cl.Adopt("b1", &r, "2", []string{"8-9", "10-11"}))
		}, ErrModel, "model \"m\" is compiled for 4 NeuronCores but its NeuronCore Group has 2: lower processes_per_replica, request more chips, or recompile for 2 NeuronCores"},
		{"Cluster.Adopt", func() error { return errOf(closedCl.Adopt("b1", nil, "2", nil)) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Dump", func() error { return errOf(closedCl.Dump()) }, ErrInvalid, "cluster is closed"},
		{"Cluster.Defrag", func() error { _, _, err := cl.Defrag(4, "small"); return err }, ErrTopology, "no node of node group small can ever hold a window of 4 chips"},
		{"Cluster.Defrag", func() error { _, _, err := cl.Defrag(16, "trn"); return err }, ErrFull, "no node of node group trn can free a window of 16 chips by moving allocations elsewhere"},
		{"Cluster.Defrag", func() error { _, _, err := cl.Defrag(0, ""); return err }, ErrRange, "chips 0 is out of range 1..64"},
		{"Cluster.Defrag", func() error { _, _, err := cl.Defrag(1, "nope"); return err }, ErrNotFound, "unknown node group \"nope\""},
		{"Cluster.Defrag", func() error { _, _, err := cl.Defrag(1, "x\x00"); return err }, ErrInvalid, "node group name contains a NUL byte"},
		{"Cluster.Defrag", func() error { _, _, err := closedCl.Defrag(1, ""); return err }, ErrInvalid, "cluster is closed"},

		// Plans.
		{"NewPlan", func() error { return errOf(NewPlan(closedCl)) }, ErrInvalid, "cluster is closed"},
		{"Plan.AddAPI", func() error { return errOf(plan.AddAPI(APISpec{Name: "", Request: inf(1, 1)})) }, ErrInvalid, "api name \"\" is not valid: 1 to 255 characters"},
		{"Plan.AddAPI", func() error { return errOf(plan.AddAPI(APISpec{Name: "b", Request: inf(1, 1), Replicas: -1})) }, ErrRange, "api b: replicas -1 is out of range 0..10000000"},
		{"Plan.AddAPI", func() error {
			return errOf(plan.AddAPI(APISpec{Name: "b", Request: inf(1, 1), Replicas: 1, NodeGroups: []string{"nope"}}))
		}, ErrNotFound, "api b: unknown node group \"nope\""},
		{"Plan.AddAPI", func() error { return errOf(plan.AddAPI(APISpec{Name: "a", Request: inf(1, 1), Replicas: 1})) }, ErrExists, "api \"a\" exists already"},
		{"Plan.AddAPI", func() error {
			return errOf(plan.AddAPI(APISpec{Name: "b", Request: inf(1, 3), Replicas: 1, MaxPerNode: -1}))
		}, ErrRange, "api b: max_per_node -1 must be >= 0"},
		{"Plan.AddAPI", func() error { return errOf(plan.AddAPI(APISpec{Name: "b", Request: both, Replicas: 1})) }, ErrInvalid, "api b: inf 1 and neuroncores 1 exclude each other: ask for whole chips or for NeuronCores"},
		{"Plan.AddAPI", func() error { return errOf(solved.AddAPI(APISpec{Name: "b", Request: inf(1, 1), Replicas: 1})) }, ErrInvalid, "plan_add_api: the plan is solved already"},
		{"Plan.AddAPI", func() error { return errOf(closedPlan.AddAPI(APISpec{Name: "b", Request: inf(1, 1)})) }, ErrInvalid, "plan is closed"},
		{"Plan.SetOptions", func() error { return plan.SetOptions(PlanOptions{TimeLimit: -1}) }, ErrRange, "time_limit_s -1 is not a finite number of seconds >= 0"},
		{"Plan.SetOptions", func() error { return plan.SetOptions(PlanOptions{TimeLimit: math.NaN()}) }, ErrRange, "time_limit_s nan is not a finite number of seconds >= 0"},
		{"Plan.SetOptions", func() error { return plan.SetOptions(PlanOptions{WorkLimit: -1}) }, ErrRange, "work_limit -1 is negative"},
		{"Plan.SetOptions", func() error { return solved.SetOptions(PlanOptions{}) }, ErrInvalid, "plan_set_options: the plan is solved already"},
		{"Plan.SetOptions", func() error { return closedPlan.SetOptions(PlanOptions{}) }, ErrInvalid, "plan is closed"},
		{"Plan.Options", func() error { return errOf(closedPlan.Options()) }, ErrInvalid, "plan is closed"},
		{"Plan.Solve", func() error { return solved.Solve() }, ErrInvalid, "plan_solve: the plan is solved already"},
		{"Plan.Solve", func() error { return closedPlan.Solve() }, ErrInvalid, "plan is closed"},
		{"Plan.Summary", func() error { return errOf(plan.Summary()) }, ErrInvalid, "the plan is not solved: call ncg_plan_solve first"},
		{"Plan.Summary", func() error { return errOf(closedPlan.Summary()) }, ErrInvalid, "plan is closed"},
		{"Plan.Replica", func() error { return errOf(solved.Replica(3)) }, ErrNotFound, "replica index 3 is out of range 0..2"},
		{"Plan.Replica", func() error { return errOf(plan.Replica(0)) }, ErrInvalid, "the plan is not solved: call ncg_plan_solve first"},
		{"Plan.Replica", func() error { return errOf(closedPlan.Replica(0)) }, ErrInvalid, "plan is closed"},
		{"Plan.Unplaced", func() error { _, _, err := solved.Unplaced(2); return err }, ErrNotFound, "api index 2 is out of range 0..1"},
		{"Plan.Unplaced", func() error { _, _, err := plan.Unplaced(0); return err }, ErrInvalid, "the plan is not solved: call ncg_plan_solve first"},
		{"Plan.Unplaced", func() error { _, _, err := closedPlan.Unplaced(0); return err }, ErrInvalid, "plan is closed"},
		{"Plan.Headroom", func() error { return errOf(solved.Headroom(2)) }, ErrNotFound, "api index 2 is out of range 0..1"},
		{"Plan.Headroom", func() error { return errOf(plan.Headroom(0)) }, ErrInvalid, "the plan is not solved: call ncg_plan_solve first"},
		{"Plan.Headroom", func() error { return errOf(closedPlan.Headroom(0)) }, ErrInvalid, "plan is closed"},
		{"Plan.Cluster", func() error { return errOf(closedPlan.Cluster().Dump()) }, ErrInvalid, "plan is closed"},
		{"Plan.Cluster().ScoreNode", func() error { return errOf(solved.Cluster().ScoreNode("nope", inf(1, 1))) }, ErrNotFound, "no node \"nope\" in the cluster"},
	}

	nodeBefore, clBefore, trnBefore := must(node.Status()), must(cl.Dump()), must(trnNode.Status())
	catBefore, planBefore := cat.Types(), must(plan.Options())
	print := os.Getenv("NCG_PRINT_MESSAGES") != ""
	for i, c := range cases {
		t.Run(fmt.Sprintf("%03d-%s-%d", i, c.fn, -int(c.want.Code)), func(t *testing.T) {
			err := c.call()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: want %v, got %v", c.fn, c.want.Code, err)
			}
			if print {
				fmt.Printf("MSG %d %q\n", i, e.Message)
			}
			if !errors.Is(err, c.want) || e.Code != c.want.Code {
				t.Fatalf("%s: want code %d (%v), got %d %q", c.fn, c.want.Code, c.want.Code, e.Code, e.Message)
			}
			if !print && e.Message != c.msg {
				t.Fatalf("%s: want message\n%q, got\n%q", c.fn, c.msg, e.Message)
			}
		})
	}
	if after := must(node.Status()); after != nodeBefore {
		t.Error("failed calls changed the node")
	}
	if after := must(trnNode.Status()); after != trnBefore || after.LNC != 2 {
		t.Error("failed calls changed the trn2 node")
	}
	if after := must(cl.Dump()); after != clBefore {
		t.Error("failed calls changed the cluster")
	}
	if after := cat.Types(); len(after) != len(catBefore) {
		t.Error("failed calls changed the catalog")
	}
	if after := must(plan.Options()); after != planBefore || plan.APICount() != 1 {
		t.Error("failed calls changed the plan")
	}
	// Every exported function and method that returns an error has a row (Close never fails; NewCluster fails
	// only with NCG_E_NOMEM, its flags being always 0; NodeScoreRank only with NCG_E_NOMEM or past 1,048,576
	// scores, its array always sized right: the C tests check those).
	covered := map[string]bool{"NewCluster": true, "NodeScoreRank": true}
	for _, c := range cases {
		covered[c.fn] = true
	}
	var missing []string
	for _, fn := range errorFunctions(t) {
		if !covered[fn] {
			missing = append(missing, fn)
		}
	}
	if len(missing) > 0 {
		t.Errorf("functions without an error case: %v", missing)
	}
}

// errorFunctions lists the exported functions and methods of the package (its non-test files) that return an
// error, as "Func" or "Type.Method"; the methods of a view are named after the handle (NodeView.X is Node.X).
func errorFunctions(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	var out []string
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || fd.Name.Name == "Close" || fd.Type.Results == nil {
				continue
			}
			returnsError := false
			for _, r := range fd.Type.Results.List {
				if id, ok := r.Type.(*ast.Ident); ok && id.Name == "error" {
					returnsError = true
				}
			}
			if !returnsError {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil {
				typ := fd.Recv.List[0].Type
				if st, ok := typ.(*ast.StarExpr); ok {
					typ = st.X
				}
				recv := strings.TrimSuffix(typ.(*ast.Ident).Name, "View")
				if !ast.IsExported(recv) {
					continue
				}
				name = recv + "." + name
			}
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
