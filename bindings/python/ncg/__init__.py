# SPDX-License-Identifier: Apache-2.0
"""Python binding of libncg 2.x: NeuronCore Group partitioning and scheduling for AWS Neuron hardware.

Pure Python over ctypes: every rule lives in the C library; this package converts types, owns handles and
raises exceptions. The library is found through $NCG_LIBRARY (a file name), else the SONAME libncg.so.2, else
``ctypes.util.find_library("ncg")``; importing fails with one ImportError listing what was tried, or when the
library's major version is not 2.

Objects: :class:`Catalog` (instance types and reserves), :class:`Node` (one machine: allocate, adopt, release),
:class:`Cluster` (node groups and named nodes: place, release, adopt, dump/restore, defrag; UltraServers, libncg
2.3: set_node_ultraserver, place_ultraserver, env) and :class:`Plan`
(replicas of many APIs onto priced nodes). :mod:`ncg.cortex` reads Cortex API, cluster and catalog files with
libncg-cortex (loaded on first use: ``import ncg`` works without it); ``ncg.CortexFiles`` is its
:class:`ncg.cortex.Files`. Requests take Cortex's YAML names as keyword arguments: ``inf``,
``neuroncores``, ``processes_per_replica``, ``cpu``, ``mem``, ``gpu``, ``hugepages`` and ``models``, and
``lnc`` (the Logical NeuronCore setting, libncg 2.3);
quantities accept ``int`` (cores for cpu, bytes for memory), ``float`` and Kubernetes strings ("500m", "2Gi").

Errors raise :class:`NcgError` subclasses (one per libncg status code) carrying ``code`` and the library's exact
``message``. Handles close with ``close()`` or a ``with`` block, and are freed when collected; using a closed
handle raises :class:`ClosedError`.

Thread safety is the C library's: distinct handles may be used from distinct threads at the same time; one
handle may be read (methods that do not change it) by many threads at once while no thread changes it; any
other use needs one thread at a time. This package adds no locks and no global mutable state (but for
libncg-cortex's functions, declared once on first use: threads racing there declare the same functions twice).
"""
from __future__ import annotations

import ctypes
import dataclasses
import decimal
import enum
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ffi
from ._ffi import (C, _Alloc, _ApiSpec, _ChipCache, _CoreGroup, _CoreGroupCache, _CoreGroupRef, _Env, _Error,
                   _Model, _Move, _NodegroupSpec, _NodeScore, _NodeStatus, _Placement, _PlanOptions, _PlanReplica,
                   _PlanSummary, _Request, _Reserve, _Type, sized)

__all__ = [
    "__version__", "version", "version_info", "library_path", "strerror",
    "Status", "Accelerator", "Topology", "Policy", "CacheState", "PlanStop",
    "NcgError", "InvalidArgumentError", "OutOfMemoryError", "ParseError", "RangeError", "UnknownTypeError",
    "NotFoundError", "PprError", "NoFitError", "TopologyError", "FullError", "OverlapError", "ModelError",
    "ExistsError", "LncError", "ClosedError",
    "parse_cpu", "parse_memory", "format_cpu", "format_memory", "ppr_check", "ppr_values",
    "parse_visible_cores", "parse_visible_devices", "parse_core_group_sizes", "format_ids", "regions",
    "topology_name", "accel_name", "cache_state_name",
    "InstanceType", "Reserve", "Usable", "Model", "Request", "CoreGroup", "Advice", "Allocation", "Env",
    "NodeStatus", "ChipCache", "CoreGroupRef", "CoreGroupCache", "NodeGroup", "Placement", "NodeScore",
    "node_score_rank", "Move",
    "Defrag", "ApiSpec", "PlanOptions", "PlanSummary", "PlanReplica", "Unplaced",
    "Catalog", "Node", "ClusterNode", "Cluster", "PlannedCluster", "Plan", "ULTRASERVER_MAX_NODES",
    "cortex", "CortexFiles",
]

Quantity = Union[int, float, str]

#: Most servers (nodes) of one UltraServer, and of one replica :meth:`Cluster.place_ultraserver` places
#: (NCG_ULTRASERVER_MAX_NODES, libncg 2.3).
ULTRASERVER_MAX_NODES: int = _ffi._ULTRASERVER_MAX_NODES

# ------------------------------------------------------------------------------------------------------------
# Versions, enums


def version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH" (ncg_version())."""
    return C.ncg_version().decode()


def _version_info() -> Tuple[int, int, int]:
    major, minor, patch = (int(x) for x in version().split(".")[:3])
    return major, minor, patch


#: The loaded library's version as a tuple of ints.
version_info: Tuple[int, int, int] = _version_info()
#: This package's version (the libncg version it was written for).
__version__ = "2.3.0"
#: The file name the library was loaded from.
library_path: str = _ffi.library_name


def strerror(code: int) -> str:
    """A short static description of a status code ("invalid argument", ...); "unknown error" for others."""
    return C.ncg_strerror(int(code)).decode()


class Status(enum.IntEnum):
    """libncg status codes (ncg_status). Values never change; -14 is retired."""
    OK = 0
    INVALID = -1
    NOMEM = -2
    PARSE = -3
    RANGE = -4
    UNKNOWN_TYPE = -5
    NOT_FOUND = -6
    PPR = -7
    NO_FIT = -8
    TOPOLOGY = -9
    FULL = -10
    OVERLAP = -11
    MODEL = -12
    EXISTS = -13
    LNC = -15


class Accelerator(enum.IntEnum):
    """What accelerators an instance type has (ncg_accel)."""
    NONE = 0
    INFERENTIA = 1
    TRAINIUM = 2
    GPU = 3

    @property
    def label(self) -> str:
        """The C library's lower-case name: "none", "inferentia", "trainium", "gpu"."""
        return accel_name(self)


class Topology(enum.IntEnum):
    """How the chips of a node are connected (ncg_topology)."""
    SINGLE = 0
    CHAIN = 1
    RING = 2
    TORUS_4X4 = 3
    SWITCHED = 4

    @property
    def label(self) -> str:
        """The C library's lower-case name: "single", "chain", "ring", "torus4x4", "switched"."""
        return topology_name(self)


class Policy(enum.IntEnum):
    """How a node chooses among the free windows that fit (ncg_policy)."""
    PACK = 0
    FIRST_FIT = 1


class CacheState(enum.IntEnum):
    """How the models of an NCG fit the device memory it can reach (ncg_cache_state)."""
    FITS = 0
    SWAPS = 1
    NO_FIT = 2

    @property
    def label(self) -> str:
        """The C library's name: "fits", "context-switched", "does not fit"."""
        return cache_state_name(self)


class PlanStop(enum.IntEnum):
    """Why column generation stopped (ncg_plan_stop, :attr:`PlanSummary.stopped`)."""
    CONVERGED = 0  #: no pattern prices out: the bound is the configuration LP optimum
    GAP = 1        #: the proven bound came within 0.05% of the master LP's value
    WORK = 2       #: the work limit (:attr:`PlanOptions.work_limit`) was reached
    TIME = 3       #: the time limit (:attr:`PlanOptions.time_limit`) was reached
    ROUNDS = 4     #: the round limit was reached
    SKIPPED = 5    #: not run: too large an input, no API, or ``colgen=False``
    SEARCH = 6     #: no pattern priced out, but some pricing search hit its node limit (the bound is valid)


def _enum(cls: Any, value: int) -> Any:
    """An enum member, or the plain int for a value a newer library added."""
    try:
        return cls(value)
    except ValueError:
        return value


def _name_of(fn: Callable[[int], Optional[bytes]], value: int) -> str:
    s = fn(int(value))
    if s is None:
        raise InvalidArgumentError(Status.INVALID, "unknown value %d" % int(value))
    return s.decode()


def topology_name(topology: Union[Topology, int]) -> str:
    """ncg_topology_name(): "single", "chain", "ring", "torus4x4" or "switched"; InvalidArgumentError for other
    values."""
    return _name_of(C.ncg_topology_name, topology)


def accel_name(accelerator: Union[Accelerator, int]) -> str:
    """ncg_accel_name(): "none", "inferentia", "trainium" or "gpu"; InvalidArgumentError for other values."""
    return _name_of(C.ncg_accel_name, accelerator)


def cache_state_name(state: Union[CacheState, int]) -> str:
    """ncg_cache_state_name(): "fits", "context-switched" or "does not fit"; InvalidArgumentError otherwise."""
    return _name_of(C.ncg_cache_state_name, state)


# ------------------------------------------------------------------------------------------------------------
# Exceptions


class NcgError(Exception):
    """A failed libncg call. ``code`` is the negative status (a :class:`Status` when known), ``message`` (and
    ``str()``) the library's exact message, which names the offending field and value."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code: Union[Status, int] = _enum(Status, code)
        self.message = message

    def __repr__(self) -> str:
        return "%s(%r, %r)" % (type(self).__name__, self.code, self.message)


class InvalidArgumentError(NcgError, ValueError):
    """NCG_E_INVALID: an argument is NULL, out of its domain or inconsistent."""


class OutOfMemoryError(NcgError, MemoryError):
    """NCG_E_NOMEM: memory allocation failed."""


class ParseError(NcgError, ValueError):
    """NCG_E_PARSE: a string (quantity, env value, dump) is malformed."""


class RangeError(NcgError, ValueError):
    """NCG_E_RANGE: a number is negative, too large or overflows."""


class UnknownTypeError(NcgError, LookupError):
    """NCG_E_UNKNOWN_TYPE: no instance type of that name in the catalog."""


class NotFoundError(NcgError, LookupError):
    """NCG_E_NOT_FOUND: no allocation, node, node group, process, chip or index of that id."""


class PprError(NcgError, ValueError):
    """NCG_E_PPR: processes_per_replica does not divide the NeuronCores (Cortex's rule and text)."""


class NoFitError(NcgError, ValueError):
    """NCG_E_NO_FIT: the request can never fit the instance type(s) (Cortex's rule and text)."""


class TopologyError(NcgError, ValueError):
    """NCG_E_TOPOLOGY: that number of chips is never a valid window on the topology."""


class FullError(NcgError):
    """NCG_E_FULL: it would fit an empty node, but not what is free now; the message says what is short."""


class OverlapError(NcgError):
    """NCG_E_OVERLAP: an adopted allocation overlaps one that exists."""


class ModelError(NcgError, ValueError):
    """NCG_E_MODEL: a model cannot load on its NeuronCore Group."""


class ExistsError(NcgError):
    """NCG_E_EXISTS: a name that must be unique is taken."""


class LncError(NcgError, ValueError):
    """NCG_E_LNC: the request names a Logical NeuronCore setting (``lnc``) the node or node group does not run."""


_ERRORS: Dict[int, type] = {
    Status.INVALID: InvalidArgumentError, Status.NOMEM: OutOfMemoryError, Status.PARSE: ParseError,
    Status.RANGE: RangeError, Status.UNKNOWN_TYPE: UnknownTypeError, Status.NOT_FOUND: NotFoundError,
    Status.PPR: PprError, Status.NO_FIT: NoFitError, Status.TOPOLOGY: TopologyError, Status.FULL: FullError,
    Status.OVERLAP: OverlapError, Status.MODEL: ModelError, Status.EXISTS: ExistsError, Status.LNC: LncError,
}


def _raise(code: int, message: str) -> None:
    raise _ERRORS.get(code, NcgError)(code, message)


_ffi.raise_error = _raise


class ClosedError(ValueError):
    """A method was called on a handle after close() (like I/O on a closed file)."""


# ------------------------------------------------------------------------------------------------------------
# Quantities and env strings


def _str(s: Optional[bytes]) -> Optional[str]:
    return None if s is None else s.decode("utf-8", "replace")


def _b(s: Optional[str], what: str = "name") -> Optional[bytes]:
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError("%s must be a str, not %s" % (what, type(s).__name__))
    return s.encode()


def parse_cpu(text: str) -> int:
    """A Kubernetes CPU quantity ("1", "1.5", "500m") in milli-CPU (ncg_parse_cpu())."""
    v = ctypes.c_int64()
    C.ncg_parse_cpu(_b(text, "cpu"), ctypes.byref(v))
    return v.value


def parse_memory(text: str) -> int:
    """A Kubernetes memory quantity ("1073741824", "4G", "1.5Gi") in bytes (ncg_parse_memory())."""
    v = ctypes.c_int64()
    C.ncg_parse_memory(_b(text, "memory"), ctypes.byref(v))
    return v.value


def format_cpu(milli: int) -> str:
    """Milli-CPU in canonical Kubernetes notation: "2" when whole, else "2500m" (ncg_format_cpu())."""
    return _ffi.text(lambda buf, size: C.ncg_format_cpu(milli, buf, size))


def format_memory(nbytes: int) -> str:
    """Bytes in the shortest exact Kubernetes notation: "4G", "6992Mi", "1023" (ncg_format_memory())."""
    return _ffi.text(lambda buf, size: C.ncg_format_memory(nbytes, buf, size))


def _decimal_text(value: float) -> str:
    return format(decimal.Decimal(repr(float(value))), "f")


def _cpu_milli(value: Quantity) -> int:
    """cpu as Cortex writes it: an int or float of CPUs, or a quantity string."""
    if isinstance(value, bool):
        raise TypeError("cpu must be an int, float or quantity string, not bool")
    if isinstance(value, int):
        return value * 1000
    if isinstance(value, float):
        return parse_cpu(_decimal_text(value))
    if isinstance(value, str):
        return parse_cpu(value)
    raise TypeError("cpu must be an int, float or quantity string, not %s" % type(value).__name__)


def _bytes(value: Quantity, what: str) -> int:
    """A memory amount: an int of bytes, a float of bytes (rounded up), or a quantity string."""
    if isinstance(value, bool):
        raise TypeError("%s must be an int, float or quantity string, not bool" % what)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return parse_memory(_decimal_text(value))
    if isinstance(value, str):
        return parse_memory(value)
    raise TypeError("%s must be an int, float or quantity string, not %s" % (what, type(value).__name__))


def ppr_check(accelerator: Union[Accelerator, int], cores_per_chip: int, chips: int, processes_per_replica: int) -> int:
    """The processes_per_replica rule on its own (ncg_ppr_check()): the NCG size, or :class:`PprError` with Cortex's
    message. ``accelerator`` (INFERENTIA or TRAINIUM) names the chips in the message."""
    return C.ncg_ppr_check(int(accelerator), cores_per_chip, chips, processes_per_replica)


def ppr_values(total_cores: int) -> List[int]:
    """The acceptable processes_per_replica for that many NeuronCores (its divisors), ascending."""
    return _ffi.array(ctypes.c_int64, lambda out, size: C.ncg_ppr_values(total_cores, out, size))


def _parse_ids(fn: Callable[..., int], text: str, limit: int) -> range:
    first, count = ctypes.c_int(), ctypes.c_int()
    fn(_b(text, "text"), limit, ctypes.byref(first), ctypes.byref(count))
    return range(first.value, first.value + count.value)


def parse_visible_cores(text: str, limit: int = 0) -> range:
    """NEURON_RT_VISIBLE_CORES ("3-6", "3,4,5,6") as a range of core ids; ``limit`` bounds them (0: none)."""
    return _parse_ids(C.ncg_parse_visible_cores, text, limit)


def parse_visible_devices(text: str, limit: int = 0) -> range:
    """AWS_NEURON_VISIBLE_DEVICES ("2,3", "2-3") as a range of chip ids; ``limit`` bounds them (0: none)."""
    return _parse_ids(C.ncg_parse_visible_devices, text, limit)


def parse_core_group_sizes(text: str) -> List[int]:
    """NEURONCORE_GROUP_SIZES ("4" or "2,4,6,4") as a list of sizes."""
    data = _b(text, "text")
    return _ffi.array(ctypes.c_int, lambda out, size: C.ncg_parse_core_group_sizes(data, out, size))


def format_ids(first: int, count: int, ranged: bool = True) -> str:
    """A contiguous id range as env text: "a-b" (or "a"), or "a,a+1,..." with ranged=False."""
    return _ffi.text(lambda buf, size: C.ncg_format_ids(first, count, 1 if ranged else 0, buf, size))


def regions() -> List[str]:
    """The AWS regions :class:`Catalog` knows, alphabetically (ncg_catalog_get_regions())."""
    names = _ffi.array(ctypes.c_char_p, lambda out, size: C.ncg_catalog_get_regions(out, size))
    return [n.decode() for n in names]


# ------------------------------------------------------------------------------------------------------------
# Result and input types


@dataclasses.dataclass(frozen=True)
class InstanceType:
    """An instance type (ncg_type). ``usd_per_hour`` is None when the price is unknown. ``lnc`` is the Logical
    NeuronCore setting ``cores_per_chip`` counts at (1 or 2 for the types that have the setting, Trainium2 and
    Trainium3; 0 for the others); ``hbm_banks`` the device memory banks per chip (0 or 1: one pool)."""
    name: str
    family: Optional[str] = None
    accelerator: Union[Accelerator, int] = Accelerator.NONE
    chips: int = 0
    cores_per_chip: int = 0
    physical_cores_per_chip: int = 0
    device_memory_bytes: int = 0
    gpus: int = 0
    cpu_milli: int = 0
    memory_bytes: int = 0
    hugepages_bytes: int = 0
    topology: Union[Topology, int] = Topology.SINGLE
    usd_per_hour: Optional[float] = None
    lnc: int = 0
    hbm_banks: int = 0

    @property
    def cores(self) -> int:
        """NeuronCores of the type: chips x cores_per_chip."""
        return self.chips * self.cores_per_chip

    @classmethod
    def _from_c(cls, t: _Type) -> "InstanceType":
        return cls(name=_str(t.name) or "", family=_str(t.family), accelerator=_enum(Accelerator, t.accelerator),
                   chips=t.chips, cores_per_chip=t.cores_per_chip, physical_cores_per_chip=t.physical_cores_per_chip,
                   device_memory_bytes=t.device_memory_bytes, gpus=t.gpus, cpu_milli=t.cpu_milli,
                   memory_bytes=t.memory_bytes, hugepages_bytes=t.hugepages_bytes,
                   topology=_enum(Topology, t.topology), usd_per_hour=t.usd_per_hour if t.has_price else None,
                   lnc=t.lnc, hbm_banks=t.hbm_banks)

    def _to_c(self) -> Tuple[_Type, List[Any]]:
        t = sized(_Type)
        keep = [_b(self.name), _b(self.family, "family")]
        t.name, t.family = keep
        t.accelerator, t.chips, t.cores_per_chip = int(self.accelerator), self.chips, self.cores_per_chip
        t.physical_cores_per_chip, t.device_memory_bytes = self.physical_cores_per_chip, self.device_memory_bytes
        t.gpus, t.cpu_milli, t.memory_bytes = self.gpus, self.cpu_milli, self.memory_bytes
        t.hugepages_bytes, t.topology = self.hugepages_bytes, int(self.topology)
        t.has_price = 0 if self.usd_per_hour is None else 1
        t.usd_per_hour = 0.0 if self.usd_per_hour is None else float(self.usd_per_hour)
        t.lnc, t.hbm_banks = self.lnc, self.hbm_banks
        return t, keep


@dataclasses.dataclass(frozen=True)
class Reserve:
    """System reserves of a catalog (ncg_reserve)."""
    cpu_milli: int
    memory_bytes: int
    plugin_cpu_milli: int
    plugin_memory_bytes: int
    runtime_bytes_per_core: int


@dataclasses.dataclass(frozen=True)
class Usable:
    """CPU and memory a replica may use on an empty node of a type (ncg_catalog_get_usable())."""
    cpu_milli: int
    memory_bytes: int


@dataclasses.dataclass(frozen=True)
class Model:
    """A model served by an API (ncg_model); the fields of libncg's ``ncg: models:`` section in Cortex files.
    ``size`` is device memory: int bytes, float or a quantity string ("180Mi")."""
    name: Optional[str] = None
    size: Quantity = 0
    compiled_cores: int = 0
    static_weights: bool = False


ModelLike = Union[Model, Mapping[str, Any]]


def _model(m: ModelLike) -> Model:
    if isinstance(m, Model):
        return m
    if isinstance(m, Mapping):
        d = dict(m)
        if "bytes" in d:
            d["size"] = d.pop("bytes")
        return Model(**d)
    raise TypeError("a model must be an ncg.Model or a mapping, not %s" % type(m).__name__)


@dataclasses.dataclass(frozen=True)
class Request:
    """What one replica of an API asks for (ncg_request), with Cortex's YAML names and defaults: ``inf`` whole
    chips or ``neuroncores``, ``processes_per_replica`` (1), ``cpu`` (200m), ``mem`` (0), ``gpu`` (0),
    ``hugepages`` (0), ``models`` and ``lnc``, in ncg_request's order. Quantities accept int, float and strings.
    ``lnc`` is the Logical NeuronCore setting the models were compiled for: 0 (any), 1 or 2; on a node or node
    group running another setting the request fails with :class:`LncError`."""
    inf: int = 0
    neuroncores: int = 0
    processes_per_replica: int = 1
    cpu: Quantity = "200m"
    mem: Quantity = 0
    gpu: int = 0
    hugepages: Quantity = 0
    models: Sequence[ModelLike] = ()
    lnc: int = 0

    def _to_c(self) -> _Request:
        r = _init_struct(_Request, C.ncg_request_init)
        r.lnc = self.lnc
        r.inf, r.neuroncores, r.ppr, r.gpu = self.inf, self.neuroncores, self.processes_per_replica, self.gpu
        r.cpu_milli = _cpu_milli(self.cpu)
        r.memory_bytes = _bytes(self.mem, "mem")
        r.hugepages_bytes = _bytes(self.hugepages, "hugepages")
        models = [_model(m) for m in self.models]
        if models:
            arr = (_Model * len(models))()
            names = []
            for c, m in zip(arr, models):
                c.size = ctypes.sizeof(_Model)
                names.append(_b(m.name, "model name"))
                c.name = names[-1]
                c.bytes = _bytes(m.size, "model size")
                c.compiled_cores = m.compiled_cores
                c.static_weights = 1 if m.static_weights else 0
            r.models = arr
            r.model_count = len(models)
            r._keep = (arr, names)  # type: ignore[attr-defined]
        return r

    @classmethod
    def _from_c(cls, r: _Request) -> "Request":
        """The request a C library filled (libncg-cortex's APIs): cpu in Kubernetes notation ("3", "8500m"),
        memory and model sizes in bytes."""
        models = tuple(Model(_str(r.models[i].name), r.models[i].bytes, r.models[i].compiled_cores,
                             bool(r.models[i].static_weights)) for i in range(r.model_count))
        return cls(inf=r.inf, cpu=format_cpu(r.cpu_milli), mem=r.memory_bytes, processes_per_replica=r.ppr,
                   gpu=r.gpu, models=models, neuroncores=r.neuroncores, hugepages=r.hugepages_bytes,
                   lnc=r.lnc if r.size >= _Request.lnc.offset + _Request.lnc.size else 0)


def _request(request: Optional[Request], kwargs: Dict[str, Any]) -> _Request:
    if request is not None:
        if kwargs:
            raise TypeError("give either request= or request keywords, not both")
        if not isinstance(request, Request):
            raise TypeError("request must be an ncg.Request")
        return request._to_c()
    return Request(**kwargs)._to_c()


@dataclasses.dataclass(frozen=True)
class CoreGroup:
    """One NeuronCore Group: the cores of one serving process (ncg_core_group)."""
    process: int
    first_core: int
    core_count: int
    first_chip: int
    chip_count: int
    cache_bytes: int

    @property
    def cores(self) -> range:
        """The core ids."""
        return range(self.first_core, self.first_core + self.core_count)

    @classmethod
    def _from_c(cls, g: _CoreGroup) -> "CoreGroup":
        return cls(g.process, g.first_core, g.core_count, g.first_chip, g.chip_count, g.cache_bytes)


@dataclasses.dataclass(frozen=True)
class Advice:
    """Advice about a valid request (ncg_request_advice()): the number of findings and their lines."""
    findings: int
    text: str

    @property
    def lines(self) -> List[str]:
        """One line per finding."""
        return self.text.split("\n") if self.text else []


@dataclasses.dataclass(frozen=True)
class Allocation:
    """One replica on a node (ncg_alloc). ``first_chip``/``first_core`` are -1 for a CPU-only replica."""
    id: int
    whole_chips: bool
    first_chip: int
    chip_count: int
    first_core: int
    core_count: int
    processes_per_replica: int
    ncg_size: int
    cpu_milli: int
    memory_bytes: int
    hugepages_bytes: int

    @classmethod
    def _from_c(cls, a: _Alloc) -> "Allocation":
        return cls(a.id, bool(a.whole_chips), a.first_chip, a.chip_count, a.first_core, a.core_count, a.ppr,
                   a.ncg_size, a.cpu_milli, a.memory_bytes, a.hugepages_bytes)


@dataclasses.dataclass(frozen=True)
class Env:
    """The env strings of one process of a placed replica (ncg_env). ``logical_nc_config`` is
    NEURON_LOGICAL_NC_CONFIG, the node's Logical NeuronCore setting ("2"); "" on types without the setting.
    ``ultraserver_mode``, ``ultraserver_server_id`` and ``ultraserver_node_id`` are NEURON_RT_ULTRASERVER_MODE
    ("1" for a replica of 4 servers, "2" for 2, "4" for 1), NEURON_RT_ULTRASERVER_SERVER_ID (the UltraServer's id)
    and NEURON_RT_ULTRASERVER_NODE_ID (the server's place in the replica, "0" to "3") of a server of a replica
    :meth:`Cluster.place_ultraserver` placed, as :meth:`Cluster.env` gives them; "" otherwise (libncg 2.3)."""
    visible_cores: str
    core_group_sizes: str
    visible_devices: str
    logical_nc_config: str = ""
    ultraserver_mode: str = ""
    ultraserver_server_id: str = ""
    ultraserver_node_id: str = ""

    @classmethod
    def _from_c(cls, e: _Env) -> "Env":
        return cls(e.visible_cores.decode(), e.core_group_sizes.decode(), e.visible_devices.decode(),
                   e.logical_nc_config.decode(), e.ultraserver_mode.decode(), e.ultraserver_server_id.decode(),
                   e.ultraserver_node_id.decode())

    def as_dict(self) -> Dict[str, str]:
        """The pod environment: NEURON_RT_VISIBLE_CORES, NEURONCORE_GROUP_SIZES, AWS_NEURON_VISIBLE_DEVICES, and
        NEURON_LOGICAL_NC_CONFIG on the types that have the setting (when ``logical_nc_config`` is not ""), and
        NEURON_RT_ULTRASERVER_MODE, NEURON_RT_ULTRASERVER_SERVER_ID and NEURON_RT_ULTRASERVER_NODE_ID each when
        it is not ""."""
        d = {"NEURON_RT_VISIBLE_CORES": self.visible_cores, "NEURONCORE_GROUP_SIZES": self.core_group_sizes,
             "AWS_NEURON_VISIBLE_DEVICES": self.visible_devices}
        for key, value in (("NEURON_LOGICAL_NC_CONFIG", self.logical_nc_config),
                           ("NEURON_RT_ULTRASERVER_MODE", self.ultraserver_mode),
                           ("NEURON_RT_ULTRASERVER_SERVER_ID", self.ultraserver_server_id),
                           ("NEURON_RT_ULTRASERVER_NODE_ID", self.ultraserver_node_id)):
            if value:
                d[key] = value
        return d


@dataclasses.dataclass(frozen=True)
class NodeStatus:
    """A node's current use (ncg_node_status)."""
    chips: int
    cores_per_chip: int
    free_chip_mask: int
    free_chips: int
    free_cores: int
    largest_window: int
    cpu_usable_milli: int
    memory_usable_bytes: int
    cpu_free_milli: int
    memory_free_bytes: int
    hugepages_free_bytes: int
    allocations: int
    policy: Union[Policy, int]
    lnc: int = 0  #: the node's Logical NeuronCore setting; 0 on types without it


@dataclasses.dataclass(frozen=True)
class ChipCache:
    """Device memory of one chip (ncg_chip_cache)."""
    chip: int
    capacity_bytes: int
    reserve_bytes: int
    used_bytes: int
    free_bytes: int
    core_groups: int


@dataclasses.dataclass(frozen=True)
class CoreGroupRef:
    """Identifies one NCG on a node (ncg_core_group_ref)."""
    alloc_id: int
    process: int


@dataclasses.dataclass(frozen=True)
class CoreGroupCache:
    """Device memory of one NCG (ncg_core_group_cache), with the other NCGs it shares chips with."""
    core_group: CoreGroup
    reachable_bytes: int
    share_bytes: int
    need_bytes: int
    shared_with: int
    state: Union[CacheState, int]
    shares: List[CoreGroupRef]


@dataclasses.dataclass(frozen=True)
class NodeGroup:
    """A node group of a cluster (ncg_nodegroup_spec), with Cortex's names. ``price`` is the effective USD per
    hour (None when unknown); ``lnc`` the Logical NeuronCore setting its nodes run (0 on types without the
    setting); ``instance`` is the node group's instance type (at that setting)."""
    index: int
    name: str
    instance_type: str
    min_instances: int
    max_instances: int
    price: Optional[float]
    priority: int
    lnc: int
    instance: InstanceType


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where :meth:`Cluster.place` put a replica (ncg_placement)."""
    node: str
    node_index: int
    nodegroup: int
    alloc_id: int


@dataclasses.dataclass(frozen=True, eq=True)
class NodeScore:
    """How :meth:`Cluster.place` scores one node for one replica (ncg_node_score), from
    :meth:`Cluster.score_node`. Scores order as ncg_node_score_compare() orders them: the better node is the
    smaller, so ``min(scores)`` is the node :meth:`Cluster.place` would choose and ``sorted(scores)`` lists the
    nodes best first. The fields are the terms of the score, in the order they count: ``priority`` (higher is
    better), ``free_cores`` (for a CPU-only request, the node's free NeuronCores: smaller is better; 0 otherwise),
    ``free_after`` (free capacity left after the replica, 2^20 per resource: smaller is better), ``leftover``
    (chips of the largest free window, or NeuronCores of the longest free run, left after the replica: smaller
    is better), then ``nodegroup`` and ``seq`` (earlier wins exact ties). ``node_index`` is the node's index in
    the cluster."""
    node_index: int
    nodegroup: int
    priority: int
    leftover: int
    free_after: int
    seq: int
    free_cores: int = 0

    def _to_c(self) -> _NodeScore:
        s = sized(_NodeScore)
        s.node_index, s.nodegroup, s.priority = self.node_index, self.nodegroup, self.priority
        s.leftover, s.free_after, s.seq = self.leftover, self.free_after, self.seq
        s.free_cores = self.free_cores
        return s

    def compare(self, other: "NodeScore") -> int:
        """ncg_node_score_compare(): negative when this node is the better one, positive when ``other`` is, 0
        when they are equal in every term."""
        if not isinstance(other, NodeScore):
            raise TypeError("can only compare a NodeScore with a NodeScore, not %s" % type(other).__name__)
        a, b = self._to_c(), other._to_c()
        return C.ncg_node_score_compare(ctypes.byref(a), ctypes.byref(b))

    def __lt__(self, other: "NodeScore") -> bool:
        return self.compare(other) < 0

    def __le__(self, other: "NodeScore") -> bool:
        return self.compare(other) <= 0

    def __gt__(self, other: "NodeScore") -> bool:
        return self.compare(other) > 0

    def __ge__(self, other: "NodeScore") -> bool:
        return self.compare(other) >= 0


def node_score_rank(scores: Sequence[NodeScore]) -> List[int]:
    """ncg_node_score_rank(): the rank of each score in one call, as :meth:`NodeScore.compare` orders them: the
    number of distinct scores better than it, so 0 is the best and scores equal in every term share a rank
    (dense ranking). Give nodes in the same state equal ``node_index``, ``nodegroup`` and ``seq`` (0, say) to
    make them tie."""
    items = list(scores)
    for s in items:
        if not isinstance(s, NodeScore):
            raise TypeError("scores must be NodeScore, not %s" % type(s).__name__)
    n = len(items)
    if n == 0:
        return []
    arr = (_NodeScore * n)(*(s._to_c() for s in items))
    ranks = (ctypes.c_int * n)()
    C.ncg_node_score_rank(arr, n, ranks)
    return list(ranks)


@dataclasses.dataclass(frozen=True)
class Move:
    """One move of a defragmentation suggestion: allocation ``alloc_id`` of node ``source`` goes to ``target``
    (ncg_move's from and to)."""
    source: str
    alloc_id: int
    target: str


@dataclasses.dataclass(frozen=True)
class Defrag:
    """A defragmentation suggestion: the node whose window is freed, and the moves in order (possibly none)."""
    node: Optional[str]
    moves: List[Move]


@dataclasses.dataclass(frozen=True)
class ApiSpec:
    """An API to plan (ncg_api_spec): its replica request, replica count, allowed node groups (None: all) and
    most replicas per node (0: no limit)."""
    name: str
    request: Request
    replicas: int = 1
    node_groups: Optional[Sequence[str]] = None
    max_per_node: int = 0


@dataclasses.dataclass(frozen=True)
class PlanOptions:
    """Options of :meth:`Plan.solve` (ncg_plan_options). ``time_limit`` is a wall-clock budget in seconds (0:
    none; with a limit the plan may differ between runs, though it is always valid and its bound proven);
    ``work_limit`` the deterministic budget of column generation in multiply-adds (0: the library's default,
    1e9; the same input and work limit give the same plan on every machine); ``colgen=False`` skips column
    generation (NCG_PLAN_NO_COLGEN: the packing heuristics and the first bound only)."""
    time_limit: float = 0.0
    work_limit: int = 0
    colgen: bool = True

    def _to_c(self) -> _PlanOptions:
        o = _init_struct(_PlanOptions, C.ncg_plan_options_init)
        if isinstance(self.time_limit, bool) or not isinstance(self.time_limit, (int, float)):
            raise TypeError("time_limit must be a number of seconds, not %s" % type(self.time_limit).__name__)
        if isinstance(self.work_limit, bool) or not isinstance(self.work_limit, int):
            raise TypeError("work_limit must be an int, not %s" % type(self.work_limit).__name__)
        o.time_limit_s = float(self.time_limit)
        o.work_limit = self.work_limit
        o.flags = 0 if self.colgen else _NO_COLGEN
        return o

    @classmethod
    def _from_c(cls, o: _PlanOptions) -> "PlanOptions":
        return cls(o.time_limit_s, o.work_limit, not (o.flags & _NO_COLGEN))


_NO_COLGEN = 1  # NCG_PLAN_NO_COLGEN


@dataclasses.dataclass(frozen=True)
class PlanSummary:
    """Totals of a solved plan (ncg_plan_summary). The ``*_seconds`` are wall-clock times of
    :meth:`Plan.solve` (all of it, then its column generation, rounding and packing parts), which differ between
    runs; ``rounds`` is the column-generation rounds run, ``patterns`` the node patterns of the last LP
    solution, ``stopped`` why generation stopped; ``optimal`` whether the plan is proven the cheapest (then
    ``lower_bound_per_hour`` equals ``price_per_hour``)."""
    price_per_hour: float
    lower_bound_per_hour: float
    gap: float
    nodes: int
    new_nodes: int
    replicas: int
    placed: int
    unplaced: int
    unpriced_nodes: int
    chips_used: int
    chips_total: int
    cpu_used_milli: int
    cpu_total_milli: int
    memory_used_bytes: int
    memory_total_bytes: int
    converged: bool
    solve_seconds: float
    generation_seconds: float
    rounding_seconds: float
    packing_seconds: float
    rounds: int
    patterns: int
    stopped: Union[PlanStop, int]
    optimal: bool


@dataclasses.dataclass(frozen=True)
class PlanReplica:
    """One replica of a plan (ncg_plan_replica). ``node`` is the node's name and ``node_index`` its index in
    :attr:`Plan.cluster`, both None when unplaced (``alloc_id`` is then 0)."""
    api: int
    api_name: str
    replica: int
    node_index: Optional[int]
    node: Optional[str]
    alloc_id: int

    @property
    def placed(self) -> bool:
        """Whether the replica has a node."""
        return self.node_index is not None


@dataclasses.dataclass(frozen=True)
class Unplaced:
    """The unplaced replicas of an API and why (ncg_plan_get_unplaced()); reason "" when all are placed."""
    count: int
    reason: str


def _init_struct(cls: Any, init: Callable[[Any], None]) -> Any:
    """A sized struct filled by an ``ncg_*_init()`` function. The function writes the library's own sizeof, which
    a newer library makes larger than this binding's Structure: it fills a buffer with room to spare, and the
    Structure is a copy of the members the binding knows, with ``size`` its own sizeof."""
    buf = ctypes.create_string_buffer(ctypes.sizeof(cls) + _INIT_SLACK)
    init(ctypes.cast(buf, ctypes.POINTER(cls)))
    s = cls.from_buffer_copy(buf.raw[:ctypes.sizeof(cls)])
    s.size = ctypes.sizeof(cls)
    return s


_INIT_SLACK = 4096  # room for what later 2.x libraries append to a struct an init function fills


def _fields(s: ctypes.Structure, *skip: str) -> Dict[str, Any]:
    return {name: getattr(s, name) for name, *_ in s._fields_ if name != "size" and name not in skip}


# ------------------------------------------------------------------------------------------------------------
# Handles


class _Handle:
    """An owned C handle: freed by close(), on leaving a ``with`` block, or when collected."""
    _h: Optional[int] = None
    _free: Optional[Callable[[Any], Any]] = None

    def _own(self, h: int, free: Callable[[Any], Any]) -> None:
        self._h = h
        self._free = free  # kept on the instance: module globals may be gone at interpreter shutdown

    def _ptr(self) -> int:
        if not self._h:
            raise ClosedError("%s is closed" % type(self).__name__)
        return self._h

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return not self._h

    def close(self) -> None:
        """Free the C handle now. Idempotent. Objects derived from it that are views (cluster nodes, a plan's
        cluster) stop working; copies (nodes from a catalog, plans from a cluster) are unaffected."""
        h, self._h = self._h, None
        if h and self._free is not None:
            self._free(h)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing sensible is left to do
            pass

    def __enter__(self) -> Any:
        self._ptr()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _type_name(name: str) -> bytes:
    if not isinstance(name, str):
        raise TypeError("instance type must be a str, not %s" % type(name).__name__)
    return name.encode()


class Catalog(_Handle):
    """A catalog of instance types and system reserves.

    ``Catalog()`` holds the 12 built-in Neuron types (us-east-1 prices); ``Catalog("eu-west-1")`` every EC2 type
    Cortex knew in that region and every Neuron type, priced where the data know a price (``neuron_only=True``:
    only those with Neuron chips); ``empty=True`` starts with
    no types. Iterating gives :class:`InstanceType` values; ``"inf1.xlarge" in catalog`` tests for a name."""

    EMPTY = 1 << 0   #: NCG_CATALOG_EMPTY
    NEURON = 1 << 1  #: NCG_CATALOG_NEURON

    def __init__(self, region: Optional[str] = None, *, empty: bool = False, neuron_only: bool = False) -> None:
        flags = self.EMPTY if empty else 0
        if region is None:
            if neuron_only:
                flags |= self.NEURON
                h = C.ncg_catalog_new_region(b"us-east-1", flags)
            else:
                h = C.ncg_catalog_new(flags)
        else:
            h = C.ncg_catalog_new_region(_b(region, "region"), flags | (self.NEURON if neuron_only else 0))
        self._own(h, C.ncg_catalog_free)

    regions = staticmethod(regions)

    @property
    def region(self) -> str:
        """The region the catalog was created for, which its unknown-type errors name (ncg_catalog_get_region())."""
        return C.ncg_catalog_get_region(self._ptr()).decode()

    def __len__(self) -> int:
        return C.ncg_catalog_type_count(self._ptr())

    def __iter__(self) -> Iterator[InstanceType]:
        return iter(self.types())

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            C.ncg_catalog_find_type(self._ptr(), name.encode(), None)
        except UnknownTypeError:
            return False
        return True

    def types(self) -> List[InstanceType]:
        """Every type, in catalog order."""
        return [self.type_at(i) for i in range(len(self))]

    def type_at(self, index: int) -> InstanceType:
        """The type at ``index`` (ncg_catalog_get_type()); NotFoundError out of range."""
        t = sized(_Type)
        C.ncg_catalog_get_type(self._ptr(), index, ctypes.byref(t))
        return InstanceType._from_c(t)

    def find(self, name: str) -> InstanceType:
        """The type called ``name`` (ncg_catalog_find_type()); UnknownTypeError if there is none."""
        t = sized(_Type)
        C.ncg_catalog_find_type(self._ptr(), _type_name(name), ctypes.byref(t))
        return InstanceType._from_c(t)

    def index(self, name: str) -> int:
        """The index of the type called ``name``; UnknownTypeError if there is none."""
        return C.ncg_catalog_find_type(self._ptr(), _type_name(name), None)

    def set_type(self, instance_type: InstanceType) -> int:
        """Add a type, or replace the type of that name (keeping its position); returns its index."""
        t, _keep = instance_type._to_c()
        return C.ncg_catalog_set_type(self._ptr(), ctypes.byref(t))

    def remove_type(self, name: str) -> None:
        """Remove the type called ``name``."""
        C.ncg_catalog_remove_type(self._ptr(), _type_name(name))

    def set_price(self, name: str, usd_per_hour: Optional[float]) -> None:
        """Set a type's price in USD per hour, or mark it unknown with None."""
        has = usd_per_hour is not None
        C.ncg_catalog_set_price(self._ptr(), _type_name(name), 1 if has else 0,
                                float(usd_per_hour) if has else 0.0)  # type: ignore[arg-type]

    @property
    def reserve(self) -> Reserve:
        """The system reserves (ncg_catalog_get_reserve()); assign a :class:`Reserve` to replace them."""
        r = sized(_Reserve)
        C.ncg_catalog_get_reserve(self._ptr(), ctypes.byref(r))
        return Reserve(**_fields(r))

    @reserve.setter
    def reserve(self, value: Reserve) -> None:
        r = sized(_Reserve)
        for k, v in dataclasses.asdict(value).items():
            setattr(r, k, v)
        C.ncg_catalog_set_reserve(self._ptr(), ctypes.byref(r))

    def usable(self, name: str) -> Usable:
        """CPU and memory a replica may use on an empty node of the type, after reserves."""
        cpu, mem = ctypes.c_int64(), ctypes.c_int64()
        C.ncg_catalog_get_usable(self._ptr(), _type_name(name), ctypes.byref(cpu), ctypes.byref(mem))
        return Usable(cpu.value, mem.value)

    def check(self, instance_type: Optional[str] = None, request: Optional[Request] = None, **kwargs: Any) -> int:
        """Validate a request with Cortex's rules against one type, or (None) the whole catalog. Returns the NCG
        size (0 for CPU only); raises PprError, NoFitError, TopologyError, ModelError, ... with Cortex's text."""
        r = _request(request, kwargs)
        return C.ncg_request_check(self._ptr(), _b(instance_type, "instance type"), ctypes.byref(r))

    def advice(self, instance_type: str, request: Optional[Request] = None, **kwargs: Any) -> Advice:
        """Advice about a valid request on a type: models compiled for fewer cores than their NCG, models that
        do not fit or will be context-switched."""
        r = _request(request, kwargs)
        findings = ctypes.c_int()
        t = _type_name(instance_type)
        text = _ffi.text(lambda buf, size: C.ncg_request_advice(self._ptr(), t, ctypes.byref(r), buf, size,
                                                                ctypes.byref(findings)))
        return Advice(findings.value, text)

    def layout(self, instance_type: str, request: Optional[Request] = None, **kwargs: Any) -> List[CoreGroup]:
        """The NCGs of one replica on a type, relative to the replica (its first chip is 0)."""
        r = _request(request, kwargs)
        t = _type_name(instance_type)
        groups = _ffi.array(_CoreGroup, lambda out, size: C.ncg_request_layout(self._ptr(), t, ctypes.byref(r),
                                                                               out, size))
        return [CoreGroup._from_c(g) for g in groups]

    def node(self, instance_type: str) -> "Node":
        """A new empty :class:`Node` of that type."""
        return Node(self, instance_type)


class _NodeReader:
    """Reading a node: shared by :class:`Node` (owned) and :class:`ClusterNode` (a node of a cluster)."""

    def _ptr(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def type_name(self) -> str:
        """The node's instance type name."""
        return C.ncg_node_get_type_name(self._ptr()).decode()

    def check(self, request: Optional[Request] = None, **kwargs: Any) -> None:
        """Raise the error :meth:`Node.allocate` would raise (FullError says what is short); None if it fits."""
        r = _request(request, kwargs)
        C.ncg_node_check(self._ptr(), ctypes.byref(r))

    def fits(self, request: Optional[Request] = None, **kwargs: Any) -> bool:
        """Whether one replica would fit now (:meth:`check` without the exception, for FullError only)."""
        try:
            self.check(request, **kwargs)
        except FullError:
            return False
        return True

    def alloc(self, alloc_id: int) -> Allocation:
        """One allocation by id; NotFoundError if there is none."""
        a = sized(_Alloc)
        C.ncg_node_get_alloc(self._ptr(), alloc_id, ctypes.byref(a))
        return Allocation._from_c(a)

    def alloc_ids(self) -> List[int]:
        """The allocation ids, ascending."""
        p = self._ptr()
        return _ffi.array(ctypes.c_uint64, lambda out, size: C.ncg_node_get_alloc_ids(p, out, size))

    @property
    def allocations(self) -> List[Allocation]:
        """Every allocation, by ascending id."""
        return [self.alloc(i) for i in self.alloc_ids()]

    def core_groups(self, alloc_id: int) -> List[CoreGroup]:
        """The NCGs of an allocation, host-global."""
        p = self._ptr()
        groups = _ffi.array(_CoreGroup, lambda out, size: C.ncg_node_get_core_groups(p, alloc_id, out, size))
        return [CoreGroup._from_c(g) for g in groups]

    def env(self, alloc_id: int, process: int = 0) -> Env:
        """The env strings of one process of an allocation."""
        e = sized(_Env)
        C.ncg_node_get_env(self._ptr(), alloc_id, process, ctypes.byref(e))
        return Env._from_c(e)

    def envs(self, alloc_id: int) -> List[Env]:
        """The env strings of every process of an allocation (none for CPU only)."""
        a = self.alloc(alloc_id)
        return [self.env(alloc_id, p) for p in range(a.processes_per_replica if a.core_count else 0)]

    def status(self) -> NodeStatus:
        """The node's current use."""
        s = sized(_NodeStatus)
        C.ncg_node_get_status(self._ptr(), ctypes.byref(s))
        d = _fields(s)
        d["policy"] = _enum(Policy, d["policy"])
        return NodeStatus(**d)

    def chip_cache(self, chip: int) -> ChipCache:
        """Device memory of one chip; NotFoundError out of range."""
        c = sized(_ChipCache)
        C.ncg_node_get_chip_cache(self._ptr(), chip, ctypes.byref(c))
        return ChipCache(**_fields(c))

    def core_group_cache(self, alloc_id: int, process: int = 0) -> CoreGroupCache:
        """Device memory of one NCG and the NCGs it shares chips with."""
        p = self._ptr()
        c = sized(_CoreGroupCache)
        refs = _ffi.array(_CoreGroupRef, lambda out, size: C.ncg_node_get_core_group_cache(
            p, alloc_id, process, ctypes.byref(c), out, size))
        return CoreGroupCache(CoreGroup._from_c(c.core_group), c.reachable_bytes, c.share_bytes, c.need_bytes,
                              c.shared_with, _enum(CacheState, c.state),
                              [CoreGroupRef(r.alloc_id, r.process) for r in refs])


def _adopt_args(visible_devices: Optional[str], visible_cores: Iterable[str]) -> Tuple[Any, Any, int]:
    if isinstance(visible_cores, str):
        visible_cores = [visible_cores]
    cores = [_b(c, "visible_cores") for c in visible_cores]
    arr = (ctypes.c_char_p * len(cores))(*cores) if cores else None
    return _b(visible_devices, "visible_devices"), arr, len(cores)


def _adopt_request(request: Optional[Request], kwargs: Dict[str, Any]) -> Optional[_Request]:
    if request is None and not kwargs:
        return None
    return _request(request, kwargs)


class Node(_Handle, _NodeReader):
    """One machine of one instance type. It copies what it needs from the catalog, which may be closed after."""

    def __init__(self, catalog: Catalog, instance_type: str) -> None:
        self._own(C.ncg_node_new(catalog._ptr(), _type_name(instance_type), 0), C.ncg_node_free)

    def clone(self) -> "Node":
        """A deep copy: type, policy, allocations with their ids, models and the next id."""
        n = Node.__new__(Node)
        n._own(C.ncg_node_clone(self._ptr()), C.ncg_node_free)
        return n

    def set_lnc(self, lnc: int) -> None:
        """The node's Logical NeuronCore setting (ncg_node_set_lnc()), 1 or 2, as the instance runs it: its cores
        per chip become physical_cores_per_chip / lnc, and ids, windows, env and the cache follow. Only on an
        empty node of a type with the setting (:attr:`InstanceType.lnc` > 0): RangeError for another ``lnc`` or a
        type without the setting, InvalidArgumentError for a node with allocations. A new node runs its type's."""
        C.ncg_node_set_lnc(self._ptr(), lnc)

    def set_policy(self, policy: Union[Policy, int]) -> None:
        """The window policy for later allocations."""
        C.ncg_node_set_policy(self._ptr(), int(policy))

    def allocate(self, request: Optional[Request] = None, **kwargs: Any) -> Allocation:
        """Place one replica (request keywords: inf, neuroncores, processes_per_replica, cpu, mem, gpu, hugepages,
        models). Raises FullError with what is short, or the rule it breaks."""
        r = _request(request, kwargs)
        a = sized(_Alloc)
        C.ncg_node_allocate(self._ptr(), ctypes.byref(r), ctypes.byref(a))
        return Allocation._from_c(a)

    def adopt(self, request: Optional[Request] = None, visible_devices: Optional[str] = None,
              visible_cores: Iterable[str] = (), **kwargs: Any) -> Allocation:
        """Record a running replica from its AWS_NEURON_VISIBLE_DEVICES and each process's NEURON_RT_VISIBLE_CORES
        (in process order), arguments in ncg_node_adopt()'s order: ``node.adopt(None, "3", ["12-13", "14-15"])``.
        ``request`` or request keywords (cpu, mem, hugepages, models) give what else it uses, so that later
        allocations do not overcommit the node; inf, neuroncores and processes_per_replica come from the strings."""
        devices, cores, count = _adopt_args(visible_devices, visible_cores)
        r = _adopt_request(request, kwargs)
        a = sized(_Alloc)
        C.ncg_node_adopt(self._ptr(), ctypes.byref(r) if r is not None else None, devices, cores, count,
                         ctypes.byref(a))
        return Allocation._from_c(a)

    def release(self, alloc_id: int) -> None:
        """Release an allocation; NotFoundError if there is none."""
        C.ncg_node_release(self._ptr(), alloc_id)


class ClusterNode(_NodeReader):
    """A node of a cluster (or of a plan's cluster), by name. Reading goes through the ncg_node_* getters;
    changes go through the cluster (:meth:`release`, :meth:`adopt`), which keeps its index current. The node is
    looked up by name on every call, so a removed node raises NotFoundError rather than reading freed memory."""

    def __init__(self, cluster: "_ClusterReader", name: str) -> None:
        self._cluster = cluster
        self.name = name

    def _lookup(self) -> Tuple[int, int, int]:
        cp = self._cluster._ptr()
        index = C.ncg_cluster_find_node(cp, self.name.encode())
        node, group = ctypes.c_void_p(), ctypes.c_int()
        C.ncg_cluster_get_node(cp, index, ctypes.byref(node), None, ctypes.byref(group))
        return node.value or 0, index, group.value

    def _ptr(self) -> int:
        return self._lookup()[0]

    @property
    def index(self) -> int:
        """The node's index in its cluster."""
        return self._lookup()[1]

    @property
    def nodegroup(self) -> int:
        """The index of the node's node group."""
        return self._lookup()[2]

    @property
    def ultraserver(self) -> Tuple[Optional[str], int]:
        """The node's UltraServer and its position there, ``(id, 0..3)``, or ``(None, -1)`` for none
        (:meth:`Cluster.node_ultraserver`)."""
        return self._cluster.node_ultraserver(self.index)

    def set_ultraserver(self, ultraserver: Optional[str], position: int) -> None:
        """Make this node a server of an UltraServer, or (None) of none (:meth:`Cluster.set_node_ultraserver`)."""
        self._cluster._mutable().set_node_ultraserver(self.name, ultraserver, position)

    def env(self, alloc_id: int, process: int = 0) -> Env:
        """The env strings of one process of an allocation (:meth:`Cluster.env`): those of :meth:`Node.env`,
        with the NEURON_RT_ULTRASERVER_* values of a server of a replica :meth:`Cluster.place_ultraserver`
        placed."""
        return self._cluster.env(self.name, alloc_id, process)

    def release(self, alloc_id: int) -> None:
        """Release an allocation of this node (:meth:`Cluster.release`)."""
        self._cluster._mutable().release(self.name, alloc_id)

    def adopt(self, request: Optional[Request] = None, visible_devices: Optional[str] = None,
              visible_cores: Iterable[str] = (), **kwargs: Any) -> Allocation:
        """Record a running replica on this node (:meth:`Cluster.adopt`)."""
        return self._cluster._mutable().adopt(self.name, request, visible_devices, visible_cores, **kwargs)

    def score(self, request: Optional[Request] = None, **kwargs: Any) -> NodeScore:
        """How placing one replica here scores (:meth:`Cluster.score_node`)."""
        return self._cluster.score_node(self.name, request, **kwargs)

    def place(self, request: Optional[Request] = None, **kwargs: Any) -> Placement:
        """Place one replica on this node (:meth:`Cluster.place_on`)."""
        return self._cluster._mutable().place_on(self.name, request, **kwargs)

    def __repr__(self) -> str:
        return "<ncg.ClusterNode %r>" % self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClusterNode) and other._cluster is self._cluster and other.name == self.name

    def __hash__(self) -> int:
        return hash((id(self._cluster), self.name))


class _ClusterReader:
    """Reading a cluster: shared by :class:`Cluster` and :class:`PlannedCluster`."""

    def _ptr(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def _mutable(self) -> "Cluster":
        raise InvalidArgumentError(Status.INVALID, "a plan's cluster is read-only")

    def __len__(self) -> int:
        return C.ncg_cluster_node_count(self._ptr())

    @property
    def nodegroup_count(self) -> int:
        """How many node groups there are."""
        return C.ncg_cluster_nodegroup_count(self._ptr())

    def nodegroup(self, index: int) -> NodeGroup:
        """Node group ``index``, with its effective price and its instance type."""
        s, t = sized(_NodegroupSpec), sized(_Type)
        C.ncg_cluster_get_nodegroup(self._ptr(), index, ctypes.byref(s), ctypes.byref(t))
        return NodeGroup(index, _str(s.name) or "", _str(s.type) or "", s.min_nodes, s.max_nodes,
                         s.usd_per_hour if s.has_price else None, s.priority, s.lnc, InstanceType._from_c(t))

    @property
    def nodegroups(self) -> List[NodeGroup]:
        """Every node group, in the order they were added."""
        return [self.nodegroup(i) for i in range(self.nodegroup_count)]

    def get_policy(self, nodegroup: Optional[str] = None) -> Union[Policy, int]:
        """The window policy of a node group, or (None) of all of them (InvalidArgumentError if they differ)."""
        return _enum(Policy, C.ncg_cluster_get_policy(self._ptr(), _b(nodegroup, "nodegroup")))

    def node_name(self, index: int) -> str:
        """The name of node ``index``."""
        name = ctypes.c_char_p()
        C.ncg_cluster_get_node(self._ptr(), index, None, ctypes.byref(name), None)
        return (name.value or b"").decode()

    def find_node(self, name: str) -> int:
        """The index of the node called ``name``; NotFoundError if there is none."""
        return C.ncg_cluster_find_node(self._ptr(), _b(name, "node name"))

    def node_ultraserver(self, index: int) -> Tuple[Optional[str], int]:
        """The UltraServer of node ``index`` and the node's position there (ncg_cluster_get_node_ultraserver()):
        ``(id, 0..3)``, or ``(None, -1)`` when the node is a server of none. NotFoundError out of range."""
        us, pos = ctypes.c_char_p(), ctypes.c_int()
        C.ncg_cluster_get_node_ultraserver(self._ptr(), index, ctypes.byref(us), ctypes.byref(pos))
        return _str(us.value), pos.value

    def env(self, node: str, alloc_id: int, process: int = 0) -> Env:
        """The env strings of one process of allocation ``alloc_id`` of node ``node`` (ncg_cluster_get_env()):
        :meth:`Node.env`'s, plus NEURON_RT_ULTRASERVER_MODE, _SERVER_ID and _NODE_ID when the allocation is a
        server of a replica :meth:`Cluster.place_ultraserver` placed. NotFoundError for an unknown node,
        allocation or process."""
        e = sized(_Env)
        C.ncg_cluster_get_env(self._ptr(), _b(node, "node name"), alloc_id, process, ctypes.byref(e))
        return Env._from_c(e)

    def node(self, name_or_index: Union[str, int]) -> ClusterNode:
        """A node by name or index."""
        if isinstance(name_or_index, int):
            return ClusterNode(self, self.node_name(name_or_index))
        self.find_node(name_or_index)
        return ClusterNode(self, name_or_index)

    @property
    def nodes(self) -> List[ClusterNode]:
        """Every node, in the order they were added: ``for node in cluster.nodes``."""
        return [ClusterNode(self, self.node_name(i)) for i in range(len(self))]

    def __iter__(self) -> Iterator[ClusterNode]:
        return iter(self.nodes)

    def score_node(self, node: str, request: Optional[Request] = None, **kwargs: Any) -> NodeScore:
        """How :meth:`Cluster.place` would score placing one replica on node ``node`` (ncg_cluster_score_node),
        without placing it: for schedulers that choose among candidate nodes themselves. FullError (with the
        node's reason) when it does not fit now; PprError, NoFitError, TopologyError or ModelError when the
        node's type can never take it; NotFoundError for an unknown node."""
        r = _request(request, kwargs)
        out = sized(_NodeScore)
        C.ncg_cluster_score_node(self._ptr(), _b(node, "node name"), ctypes.byref(r), ctypes.byref(out))
        return NodeScore(out.node_index, out.nodegroup, out.priority, out.leftover, out.free_after, out.seq,
                         out.free_cores)

    def dump(self) -> str:
        """The whole state as text (format "ncg-cluster 2"); :meth:`Cluster.restore` reads it back."""
        p = self._ptr()
        return _ffi.text(lambda buf, size: C.ncg_cluster_dump(p, buf, size))

    def defrag(self, chips: int, nodegroup: Optional[str] = None) -> Defrag:
        """The fewest moves that free a window of ``chips`` whole chips on some node (of ``nodegroup``); the
        cluster is not changed. FullError when no node can be freed that way."""
        p = self._ptr()
        g = _b(nodegroup, "nodegroup")
        node = ctypes.c_char_p()
        moves = _ffi.array(_Move, lambda out, size: C.ncg_cluster_defrag(p, chips, g, out, size,
                                                                        ctypes.byref(node)))
        return Defrag(_str(node.value), [Move((getattr(m, "from") or b"").decode(), m.alloc_id,
                                              (m.to or b"").decode()) for m in moves])


class Cluster(_Handle, _ClusterReader):
    """Node groups and named nodes, indexed for online placement. ``Cluster.restore(text)`` rebuilds one from
    :meth:`dump` text; :meth:`clone` makes a deep copy."""

    def __init__(self) -> None:
        self._own(C.ncg_cluster_new(0), C.ncg_cluster_free)

    @classmethod
    def _wrap(cls, h: int) -> "Cluster":
        c = cls.__new__(cls)
        c._own(h, C.ncg_cluster_free)
        return c

    @classmethod
    def restore(cls, text: str) -> "Cluster":
        """A cluster from :meth:`dump` text; ParseError names the line and what is wrong."""
        return cls._wrap(C.ncg_cluster_restore(_b(text, "text"), 0))

    def clone(self) -> "Cluster":
        """A deep copy (node groups, nodes, allocations, ids, names)."""
        return self._wrap(C.ncg_cluster_clone(self._ptr()))

    def _mutable(self) -> "Cluster":
        return self

    def add_nodegroup(self, catalog: Catalog, name: str, instance_type: str, *, min_instances: int = 0,
                      max_instances: int = 1000000, price: Optional[float] = None, priority: int = 0,
                      lnc: int = 0) -> int:
        """Add a node group (Cortex's ``node_groups`` entry); returns its index. ``price`` overrides the
        catalog's USD per hour (spot, discounts); ``lnc`` is the Logical NeuronCore setting of its nodes (1 or 2,
        types with the setting only; 0: the type's)."""
        s = sized(_NodegroupSpec)
        keep = (_b(name), _type_name(instance_type))
        s.name, s.type = keep
        s.min_nodes, s.max_nodes, s.priority = min_instances, max_instances, priority
        s.has_price = 0 if price is None else 1
        s.usd_per_hour = 0.0 if price is None else float(price)
        s.lnc = lnc
        return C.ncg_cluster_add_nodegroup(self._ptr(), catalog._ptr(), ctypes.byref(s))

    def set_policy(self, nodegroup: Optional[str], policy: Union[Policy, int]) -> None:
        """The window policy of a node group's nodes (present and later), or (``nodegroup`` None) of every node
        group now."""
        C.ncg_cluster_set_policy(self._ptr(), _b(nodegroup, "nodegroup"), int(policy))

    def add_node(self, name: Optional[str], nodegroup: str) -> ClusterNode:
        """Add an empty node called ``name`` to a node group (named "<nodegroup>-<n>" when ``name`` is None), as
        ncg_cluster_add_node(): ``cluster.add_node(None, "inf-large")``."""
        index = C.ncg_cluster_add_node(self._ptr(), _b(name, "node name"), _b(nodegroup, "nodegroup"))
        return ClusterNode(self, self.node_name(index))

    def remove_node(self, name: str) -> None:
        """Remove a node and every allocation on it."""
        C.ncg_cluster_remove_node(self._ptr(), _b(name, "node name"))

    def place(self, request: Optional[Request] = None, *, node_groups: Optional[Sequence[str]] = None,
              **kwargs: Any) -> Placement:
        """Place one replica on an existing node of the allowed node groups (None: all). FullError gives the
        reason per node group."""
        r = _request(request, kwargs)
        names, arr, count = _names(node_groups)
        out = sized(_Placement)
        C.ncg_cluster_place(self._ptr(), ctypes.byref(r), arr, count, ctypes.byref(out))
        return Placement((out.node or b"").decode(), out.node_index, out.nodegroup, out.alloc_id)

    def place_on(self, node: str, request: Optional[Request] = None, **kwargs: Any) -> Placement:
        """Place one replica on node ``node`` (a scheduler's bind; ncg_cluster_place_on), its node group's policy
        choosing the chips or cores as :meth:`place` would. The errors of :meth:`score_node`."""
        r = _request(request, kwargs)
        out = sized(_Placement)
        C.ncg_cluster_place_on(self._ptr(), _b(node, "node name"), ctypes.byref(r), ctypes.byref(out))
        return Placement((out.node or b"").decode(), out.node_index, out.nodegroup, out.alloc_id)

    def release(self, node: str, alloc_id: int) -> None:
        """Release allocation ``alloc_id`` of node ``node``."""
        C.ncg_cluster_release(self._ptr(), _b(node, "node name"), alloc_id)

    def set_node_ultraserver(self, node: str, ultraserver: Optional[str], position: int) -> None:
        """Make node ``node`` a server of UltraServer ``ultraserver`` (its id: 1..63 characters of
        [A-Za-z0-9._-]; on Kubernetes the node's label ``neuron.amazonaws.com/ultraserver-server-id-4``) at
        ``position`` 0..3 (label ``ultraserver-node-id-4``), or (``ultraserver`` None, ``position`` ignored) of
        none (ncg_cluster_set_node_ultraserver()). RangeError for the position, ExistsError when another node has
        that place, InvalidArgumentError for a bad id or a node holding a replica of several servers,
        NotFoundError for an unknown node."""
        C.ncg_cluster_set_node_ultraserver(self._ptr(), _b(node, "node name"), _b(ultraserver, "ultraserver"),
                                           position)

    def place_ultraserver(self, request: Optional[Request] = None, servers: Optional[int] = None, *,
                          node_groups: Optional[Sequence[str]] = None, **kwargs: Any) -> List[Placement]:
        """Place one replica on ``servers`` whole servers of one UltraServer (ncg_cluster_place_ultraserver()),
        arguments in its order, ``servers`` required: ``cluster.place_ultraserver(servers=4, inf=16)`` or
        ``cluster.place_ultraserver(ncg.Request(inf=16), 4)``. ``servers`` is 4 (all of it), 2 (positions 0-1 or
        2-3) or 1; each server gets one allocation of the request, which must take all of a server's chips
        (``inf`` = the type's chips), all or none. Returns the placements by position; :meth:`env` gives each
        server's NEURON_RT_ULTRASERVER_* values. Among the UltraServers of the allowed node groups (None: all) that
        can take it: the highest node-group priority, then the one left with the fewest free servers, then the one
        whose first node was added first, then the lowest positions. RangeError for ``servers`` not 1, 2 or 4,
        InvalidArgumentError for a request that is not whole servers, NotFoundError for an unknown node group,
        FullError when no UltraServer has them free; nothing changes then."""
        if isinstance(request, int) and not isinstance(request, bool):
            raise TypeError("place_ultraserver() takes the request first, as ncg_cluster_place_ultraserver() does: "
                            "place_ultraserver(servers=%d, ...) or place_ultraserver(request, %d)" % (request, request))
        if servers is None:
            raise TypeError("place_ultraserver() needs servers (1, 2 or 4)")
        if isinstance(servers, bool) or not isinstance(servers, int):
            raise TypeError("servers must be an int, not %s" % type(servers).__name__)
        r = _request(request, kwargs)
        names, arr, count = _names(node_groups)
        out = (_Placement * ULTRASERVER_MAX_NODES)()
        for p in out:
            p.size = ctypes.sizeof(_Placement)
        n = C.ncg_cluster_place_ultraserver(self._ptr(), ctypes.byref(r), servers, arr, count, out,
                                            ULTRASERVER_MAX_NODES)
        return [Placement((p.node or b"").decode(), p.node_index, p.nodegroup, p.alloc_id) for p in out[:n]]

    def adopt(self, node: str, request: Optional[Request] = None, visible_devices: Optional[str] = None,
              visible_cores: Iterable[str] = (), **kwargs: Any) -> Allocation:
        """Record a running replica on node ``node`` from its env strings (see :meth:`Node.adopt`), arguments in
        ncg_cluster_adopt()'s order."""
        devices, cores, count = _adopt_args(visible_devices, visible_cores)
        r = _adopt_request(request, kwargs)
        a = sized(_Alloc)
        C.ncg_cluster_adopt(self._ptr(), _b(node, "node name"), ctypes.byref(r) if r is not None else None,
                            devices, cores, count, ctypes.byref(a))
        return Allocation._from_c(a)


def _names(names: Optional[Sequence[str]]) -> Tuple[Any, Any, int]:
    if names is None:
        return None, None, 0
    if isinstance(names, str):
        names = [names]
    enc = [_b(n, "node group name") for n in names]
    arr = (ctypes.c_char_p * len(enc))(*enc) if enc else None
    return enc, arr, len(enc)


class PlannedCluster(_ClusterReader):
    """The cluster of a :class:`Plan` (read-only): the base's nodes before solving, the planned ones after."""

    def __init__(self, plan: "Plan") -> None:
        self._plan = plan

    def _ptr(self) -> int:
        return C.ncg_plan_get_cluster(self._plan._ptr())

    def copy(self) -> Cluster:
        """A :class:`Cluster` of one's own (ncg_cluster_clone()), e.g. to place onto after planning."""
        return Cluster._wrap(C.ncg_cluster_clone(self._ptr()))


class Plan(_Handle):
    """Replicas of many APIs placed onto a copy of a cluster at the lowest price, with a lower bound.

    >>> plan = Plan(cluster)                       # doctest: +SKIP
    >>> plan.add_api("resnet", replicas=4, inf=1, processes_per_replica=4, cpu=3, mem="4G")  # doctest: +SKIP
    >>> plan.solve(); plan.summary().price_per_hour  # doctest: +SKIP
    """

    def __init__(self, cluster: Optional[Cluster] = None) -> None:
        base = cluster if cluster is not None else Cluster()
        try:
            self._own(C.ncg_plan_new(base._ptr(), 0), C.ncg_plan_free)
        finally:
            if cluster is None:
                base.close()

    def add_api(self, name: Union[str, ApiSpec], request: Optional[Request] = None, *, replicas: int = 1,
                node_groups: Optional[Sequence[str]] = None, max_per_node: int = 0, **kwargs: Any) -> int:
        """Add an API (or an :class:`ApiSpec`); returns its index. Request keywords as :class:`Request`."""
        if isinstance(name, ApiSpec):
            if request is not None or kwargs:
                raise TypeError("give either an ApiSpec or request arguments, not both")
            spec = name
        else:
            spec = ApiSpec(name, request if request is not None else Request(**kwargs), replicas, node_groups,
                           max_per_node)
        r = _request(spec.request, {})
        s = sized(_ApiSpec)
        enc_name = _b(spec.name, "api name")
        names, arr, count = _names(spec.node_groups)
        s.name, s.request, s.replicas = enc_name, ctypes.pointer(r), spec.replicas
        s.nodegroups, s.nodegroup_count, s.max_per_node = arr, count, spec.max_per_node
        return C.ncg_plan_add_api(self._ptr(), ctypes.byref(s))

    @property
    def options(self) -> PlanOptions:
        """The options :meth:`solve` uses (ncg_plan_get_options); the defaults until changed."""
        o = sized(_PlanOptions)
        C.ncg_plan_get_options(self._ptr(), ctypes.byref(o))
        return PlanOptions._from_c(o)

    def set_options(self, options: Optional[PlanOptions] = None, *, time_limit: Optional[float] = None,
                    work_limit: Optional[int] = None, colgen: Optional[bool] = None) -> None:
        """Set the options :meth:`solve` uses (ncg_plan_set_options), before solving: a :class:`PlanOptions`, or
        keywords that change the current options. RangeError for a negative or non-finite time limit or a
        negative work limit, InvalidArgumentError once solved; the options are then unchanged."""
        if options is not None and not isinstance(options, PlanOptions):
            raise TypeError("options must be an ncg.PlanOptions, not %s" % type(options).__name__)
        o = options if options is not None else self.options
        changes = {k: v for k, v in (("time_limit", time_limit), ("work_limit", work_limit), ("colgen", colgen))
                   if v is not None}
        if changes:
            o = dataclasses.replace(o, **changes)
        c = o._to_c()
        C.ncg_plan_set_options(self._ptr(), ctypes.byref(c))

    def solve(self, options: Optional[PlanOptions] = None, *, time_limit: Optional[float] = None,
              work_limit: Optional[int] = None, colgen: Optional[bool] = None) -> "Plan":
        """Compute the plan (once); returns the plan. Options, when given (a :class:`PlanOptions` or the keywords
        of :meth:`set_options`), are set first. Replicas that cannot be placed are reported by :meth:`summary`
        and :meth:`unplaced`, not raised."""
        if options is not None or time_limit is not None or work_limit is not None or colgen is not None:
            self.set_options(options, time_limit=time_limit, work_limit=work_limit, colgen=colgen)
        C.ncg_plan_solve(self._ptr())
        return self

    @property
    def solved(self) -> bool:
        """Whether solve() has succeeded."""
        try:
            C.ncg_plan_get_summary(self._ptr(), ctypes.byref(sized(_PlanSummary)))
        except InvalidArgumentError:
            return False
        return True

    def summary(self) -> PlanSummary:
        """Totals of the solved plan; InvalidArgumentError before solve()."""
        s = sized(_PlanSummary)
        C.ncg_plan_get_summary(self._ptr(), ctypes.byref(s))
        d = _fields(s)
        d["converged"] = bool(d["converged"])
        d["stopped"] = _enum(PlanStop, d["stopped"])
        d["optimal"] = bool(d["optimal"])
        return PlanSummary(**d)

    @property
    def cluster(self) -> PlannedCluster:
        """The plan's cluster, for reading (nodes, allocations, env, dump)."""
        self._ptr()
        return PlannedCluster(self)

    @property
    def api_count(self) -> int:
        """How many APIs were added."""
        return C.ncg_plan_api_count(self._ptr())

    def api_name(self, api: int) -> str:
        """The name of API ``api``; NotFoundError out of range."""
        s = C.ncg_plan_get_api_name(self._ptr(), api)
        if s is None:
            raise NotFoundError(Status.NOT_FOUND, "api %d does not exist (the plan has %d)" % (api, self.api_count))
        return s.decode()

    @property
    def apis(self) -> List[str]:
        """The API names, in the order they were added."""
        return [self.api_name(i) for i in range(self.api_count)]

    def _api(self, api: Union[int, str]) -> int:
        if isinstance(api, str):
            names = self.apis
            if api not in names:
                raise NotFoundError(Status.NOT_FOUND, "api %s is not in the plan" % api)
            return names.index(api)
        return api

    def replica(self, index: int) -> PlanReplica:
        """Replica ``index`` (APIs in order, then replicas in order)."""
        p = self._ptr()
        r = sized(_PlanReplica)
        C.ncg_plan_get_replica(p, index, ctypes.byref(r))
        placed = r.node >= 0
        return PlanReplica(r.api, self.api_name(r.api), r.replica, r.node if placed else None,
                           PlannedCluster(self).node_name(r.node) if placed else None, r.alloc_id)

    def replicas(self) -> List[PlanReplica]:
        """Every replica of the solved plan, placed or not (empty before solve())."""
        return [self.replica(i) for i in range(C.ncg_plan_replica_count(self._ptr()))]

    @property
    def replica_count(self) -> int:
        """How many replicas the solved plan has (0 before solve())."""
        return C.ncg_plan_replica_count(self._ptr())

    def unplaced(self, api: Union[int, str]) -> Unplaced:
        """How many replicas of an API are unplaced, and why ("" when all are placed)."""
        p, i = self._ptr(), self._api(api)
        count = ctypes.c_int()
        reason = _ffi.text(lambda buf, size: C.ncg_plan_get_unplaced(p, i, buf, size, ctypes.byref(count)))
        return Unplaced(count.value, reason)

    def headroom(self, api: Union[int, str]) -> int:
        """How many more replicas of an API would fit on the plan's nodes as they are."""
        return C.ncg_plan_get_headroom(self._ptr(), self._api(api))


# The Cortex file reader (libncg-cortex), loaded when first used.
from . import cortex  # noqa: E402  (it uses the classes above)

CortexFiles = cortex.Files
