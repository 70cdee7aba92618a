"""The road graph prepared for one matrix request: a virtual source node per place on an
edge, parallel edges reduced, in CSR form for scipy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from geo.network import RoadNetwork
from geo.places import Places
from geo.weights import CLOSED, EdgeWeights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class RoutingGraph:
    """The road graph with a virtual source node per place on an edge, in CSR form.

    Nodes ``0..road_nodes-1`` are the network's; the rest are virtual. CSR entry ``p``
    (from its row's node to node ``indices[p]``) is network edge ``edge[p]`` travelled
    forward (``forward[p]``) or backward, taking ``time_ms[p]`` and ``length_cm[p]``; out
    of a virtual node it is the part of that edge beyond the place. Parallel edges are
    reduced to the fastest (then shortest). ``source_node[p]`` is the node place ``p`` is
    routed from.
    """

    indptr: IntArray
    indices: npt.NDArray[np.int32]
    time_ms: IntArray
    length_cm: IntArray
    edge: IntArray
    forward: npt.NDArray[np.bool_]
    nodes: int
    road_nodes: int
    source_node: IntArray

    def matrix(self, weight: FloatArray) -> sparse.csr_matrix:
        """The graph as a scipy CSR matrix with the given weight per entry."""
        return sparse.csr_matrix(
            (weight, self.indices, self.indptr), shape=(self.nodes, self.nodes)
        )


def routing_graph(network: RoadNetwork, weights: EdgeWeights, places: Places) -> RoutingGraph:
    """The road graph plus one virtual source node per place on an edge.

    Parameters
    ----------
    network
        The road network.
    weights
        Its edge weights (speed factors applied).
    places
        The distinct places to route between.
    """
    n = network.nodes
    edge_ids = np.arange(network.edges, dtype=np.int64)
    forward_open = weights.forward_ms != CLOSED
    backward_open = weights.backward_ms != CLOSED
    on_edge = np.nonzero(places.edge >= 0)[0]
    virtual = n + np.arange(len(on_edge), dtype=np.int64)
    source_node = places.node.copy()
    source_node[on_edge] = virtual
    e, off = places.edge[on_edge], places.offset_cm[on_edge]
    length = weights.length_cm[e]
    leave_forward = weights.forward_ms[e] != CLOSED
    leave_backward = weights.backward_ms[e] != CLOSED
    parts = [
        # (tails, heads, time_ms, length_cm, edge, forward)
        (
            network.edge_u[forward_open],
            network.edge_v[forward_open],
            weights.forward_ms[forward_open],
            weights.length_cm[forward_open],
            edge_ids[forward_open],
            np.ones(int(forward_open.sum()), dtype=bool),
        ),
        (
            network.edge_v[backward_open],
            network.edge_u[backward_open],
            weights.backward_ms[backward_open],
            weights.length_cm[backward_open],
            edge_ids[backward_open],
            np.zeros(int(backward_open.sum()), dtype=bool),
        ),
        (
            virtual[leave_forward],
            network.edge_v[e[leave_forward]],
            (weights.forward_ms[e] - places.forward_ms[on_edge])[leave_forward],
            (length - off)[leave_forward],
            e[leave_forward],
            np.ones(int(leave_forward.sum()), dtype=bool),
        ),
        (
            virtual[leave_backward],
            network.edge_u[e[leave_backward]],
            (weights.backward_ms[e] - places.backward_ms[on_edge])[leave_backward],
            off[leave_backward],
            e[leave_backward],
            np.zeros(int(leave_backward.sum()), dtype=bool),
        ),
    ]
    tails, heads, time_ms, length_cm, edge, forward = (
        np.concatenate([part[i] for part in parts]) for i in range(6)
    )
    # Sorted by tail, head, time, length: the first of each (tail, head) is the fastest.
    order = np.lexsort((length_cm, time_ms, heads, tails))
    tails, heads = tails[order], heads[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    keep = order[first]
    nodes = n + len(on_edge)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(tails[first], minlength=nodes))))
    return RoutingGraph(
        indptr=indptr.astype(np.int64),
        indices=heads[first].astype(np.int32),
        time_ms=time_ms[keep].astype(np.int64),
        length_cm=length_cm[keep].astype(np.int64),
        edge=edge[keep].astype(np.int64),
        forward=forward[keep],
        nodes=nodes,
        road_nodes=n,
        source_node=source_node,
    )
