package ncg

/*
#include <stdlib.h>
#include <ncg.h>
*/
import "C"

// NodeScore is how Place scores one node for one replica (ncg_node_score): the terms of the score, in the
// order they count. Order two with Compare.
type NodeScore struct {
	NodeIndex int    // the node's index in the cluster
	NodeGroup int    // its node group's index (earlier wins exact ties)
	Priority  int    // its node group's priority: higher is better, strictly
	Leftover  int    // chips of the largest free window, or NeuronCores of the longest free run, left after the replica: smaller is better
	FreeAfter int64  // free capacity left after the replica, sum of free fractions in millionths: smaller is better
	Seq       uint64 // order the node was added in (earlier wins exact ties)
}

func (s *NodeScore) toC() C.ncg_node_score {
	return C.ncg_node_score{size: C.uint32_t(C.sizeof_ncg_node_score), node_index: C.int(s.NodeIndex),
		nodegroup: C.int(s.NodeGroup), priority: C.int(s.Priority), leftover: C.int(s.Leftover),
		free_after: C.int64_t(s.FreeAfter), seq: C.uint64_t(s.Seq)}
}

func nodeScoreFromC(s *C.ncg_node_score) NodeScore {
	return NodeScore{int(s.node_index), int(s.nodegroup), int(s.priority), int(s.leftover), int64(s.free_after),
		uint64(s.seq)}
}

// Compare orders two scores as Place does (ncg_node_score_compare): negative when s is the better node,
// positive when other is, 0 when they are equal in every term.
func (s NodeScore) Compare(other NodeScore) int {
	a, b := s.toC(), other.toC()
	return int(C.ncg_node_score_compare(&a, &b))
}

// ScoreNode scores placing one replica on the named node without placing it (ncg_cluster_score_node). When
// the replica does not fit the node now the error is ErrFull with the node's reason; when it can never fit
// the node's type, the rule it fails (ErrPPR, ErrNoFit, ErrTopology, ErrModel); ErrNotFound for no such node.
// It only reads the cluster, and may run in parallel with the other readers.
func (cl *Cluster) ScoreNode(node string, r Request) (NodeScore, error) {
	var out NodeScore
	err := cl.h.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		s := C.ncg_node_score{size: C.uint32_t(C.sizeof_ncg_node_score)}
		var e C.ncg_error
		if rc := C.ncg_cluster_score_node(c, n, cr, &s, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = nodeScoreFromC(&s)
		return nil
	})
	return out, err
}

// PlaceOn places one replica on the named node, its node group's policy choosing the chips or cores, as Place
// would had it chosen that node (ncg_cluster_place_on): a scheduler's bind. It fails as ScoreNode does.
func (cl *Cluster) PlaceOn(node string, r Request) (Placement, error) {
	var out Placement
	err := cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		p := C.ncg_placement{size: C.uint32_t(C.sizeof_ncg_placement)}
		var e C.ncg_error
		if rc := C.ncg_cluster_place_on(c, n, cr, &p, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = Placement{C.GoString(p.node), int(p.node_index), int(p.nodegroup), uint64(p.alloc_id)}
		return nil
	})
	return out, err
}
