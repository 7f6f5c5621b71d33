# SPDX-License-Identifier: Apache-2.0
"""Cortex API, cluster and catalog files read by libncg-cortex (ncg-cortex.h), the reader ``ncg validate`` and
``ncg plan`` use, without a subprocess.

All parsing and checking is libncg-cortex's; this module converts types, owns the reader handle and raises
:class:`ncg.NcgError` subclasses with the library's exact messages, which start with ``FILE:LINE:COLUMN: ``.
libncg-cortex is optional: it is loaded on first use (``$NCG_CORTEX_LIBRARY`` naming the file, else
libncg-cortex.so.2 next to libncg, else the SONAME, else ``ctypes.util.find_library("ncg-cortex")``), and an
ImportError listing what was tried is raised then, not when ``ncg`` is imported.

>>> with ncg.cortex.Files() as files, ncg.Catalog() as catalog:      # doctest: +SKIP
...     files.load_cluster("cluster.yaml"); files.load_apis("apis.yaml")
...     with files.new_cluster(catalog) as cluster:
...         files.check(catalog, cluster)
...         plan = ncg.Plan(cluster)
...     files.add_to_plan(plan, replicas="init"); plan.solve()

Two modes, chosen when the reader is created: strict (a file with any problem is refused as a whole, with the
first problem raised, and the reader is unchanged) and ``keep_going=True`` (every problem is recorded in
:attr:`Files.diagnostics`, APIs that could not be read are kept with ``invalid`` set, and loading raises only for
bad arguments, unreadable files and out of memory).

Thread safety is libncg-cortex's: methods that only read (the properties, :meth:`Files.api`,
:meth:`Files.nodegroup`, :meth:`Files.diagnostic`, :meth:`Files.add_to_plan`) may run at once on one reader;
the others (loading, :meth:`Files.new_cluster`, :meth:`Files.check`) need one thread at a time.
"""
from __future__ import annotations

import ctypes
import dataclasses
import os
from typing import Any, List, Optional, Tuple, Union

from . import _ffi
from . import (Catalog, Cluster, NotFoundError, Plan, Request, Status, _b, _Handle, _NodegroupSpec, _str, sized)
from ._ffi import _CortexApi, _CortexBackend, _CortexDiagnostic, _CortexNodegroup

__all__ = ["version", "library_path", "suggest_type", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_ALIASES", "MAX_NODES",
           "REPLICAS_MIN", "REPLICAS_INIT", "REPLICAS_MAX", "Api", "Backend", "NodeGroup", "Diagnostic", "Files"]

#: Largest file (or text) the loaders accept, in bytes (NCG_CORTEX_MAX_FILE_BYTES).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Deepest nesting of YAML sequences and mappings the loaders accept (NCG_CORTEX_MAX_DEPTH).
MAX_DEPTH = 64
#: Most YAML aliases one file may use (NCG_CORTEX_MAX_ALIASES).
MAX_ALIASES = 256
#: Most YAML nodes one file may hold, aliases counted as what they stand for (NCG_CORTEX_MAX_NODES).
MAX_NODES = 1000000

#: Plan each API's autoscaling.min_replicas (NCG_CORTEX_REPLICAS_MIN).
REPLICAS_MIN = -1
#: Plan each API's autoscaling.init_replicas, Cortex's default being min_replicas (NCG_CORTEX_REPLICAS_INIT).
REPLICAS_INIT = -2
#: Plan each API's autoscaling.max_replicas (NCG_CORTEX_REPLICAS_MAX).
REPLICAS_MAX = -3

_KEEP_GOING = 1 << 0  # NCG_CORTEX_KEEP_GOING
_REPLICAS = {"min": REPLICAS_MIN, "init": REPLICAS_INIT, "max": REPLICAS_MAX}

Path = Union[str, bytes, "os.PathLike[str]"]


def _cx() -> Any:
    return _ffi.cortex()


def version() -> str:
    """libncg-cortex's version, "MAJOR.MINOR.PATCH" (ncg_cortex_version(): that of the libncg it was built with).
    ImportError when libncg-cortex cannot be loaded."""
    return _cx().ncg_cortex_version().decode()


def library_path() -> str:
    """The file name libncg-cortex was loaded by (loading it on the first call; ImportError when it cannot be)."""
    return _ffi.cortex_library()[1]


def suggest_type(catalog: Catalog, name: str) -> Optional[str]:
    """The instance type of ``catalog`` nearest to ``name`` (at most 2 edits), for "did you mean"; None when no
    type is that near (ncg_cortex_suggest_type())."""
    return _str(_cx().ncg_cortex_suggest_type(catalog._ptr(), _b(name, "instance type")))


@dataclasses.dataclass(frozen=True)
class Backend:
    """One API a TrafficSplitter routes to (ncg_cortex_backend): ``weight`` 0..100, ``shadow`` when it gets a
    copy of the traffic, and where it is written."""
    name: str
    weight: int
    shadow: bool
    line: int
    column: int


@dataclasses.dataclass(frozen=True)
class Api:
    """One API of an API file (ncg_cortex_api). ``kind`` is as written ("RealtimeAPI", ...; None when the file
    has none); ``file``, ``line`` and ``column`` locate its mapping; ``splitter`` marks a TrafficSplitter (it
    routes to ``backends`` and runs no replicas); ``invalid`` an API a field of which could not be read (keep-going
    mode only). ``request`` is what one replica asks for (compute, ``processes_per_replica`` and ``ncg: models:``,
    summed over the containers of ``pod:``). ``nodegroups`` are the node groups it may use (empty: any);
    ``max_per_node`` 0 means no limit."""
    index: int
    name: str
    kind: Optional[str]
    file: str
    line: int
    column: int
    splitter: bool
    invalid: bool
    request: Request
    min_replicas: int
    init_replicas: int
    max_replicas: int
    nodegroups: Tuple[str, ...]
    max_per_node: int
    backends: Tuple[Backend, ...]


@dataclasses.dataclass(frozen=True)
class NodeGroup:
    """A node group of a cluster file (ncg_nodegroup_spec and ncg_cortex_nodegroup), with Cortex's names:
    ``min_instances``/``max_instances`` (Cortex's defaults 1 and 5), ``priority`` (1..100, default 1), ``price``
    (USD per hour from the file, None when it gives none), ``spot``, and where the group and its instance_type are
    written, and ``lnc``, the Logical NeuronCore setting of its instances (libncg's ``lnc`` key; 0: the type's)."""
    index: int
    name: str
    instance_type: str
    min_instances: int
    max_instances: int
    price: Optional[float]
    priority: int
    spot: bool
    file: str
    line: int
    column: int
    type_line: int
    type_column: int
    lnc: int = 0


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """A problem found while loading or checking (ncg_cortex_diagnostic). ``message`` is the whole line,
    "FILE:LINE:COLUMN: ..."; ``file`` is None and ``line``/``column`` 0 when the problem has no position;
    ``warning`` marks one that does not make the input invalid; ``field`` is the field it is about, as the message
    names it ("compute", "ncg.models"), or None for a problem of the file, its YAML or the plan as a whole."""
    message: str
    file: Optional[str]
    line: int
    column: int
    warning: bool
    field: Optional[str] = None

    def __str__(self) -> str:
        return self.message


def _path(path: Path) -> bytes:
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError("path must be a str, bytes or os.PathLike, not %s" % type(path).__name__)
    return os.fsencode(path)


def _text(text: Optional[Union[str, bytes]]) -> Optional[bytes]:
    if text is None:
        return None
    if isinstance(text, str):
        text = text.encode("utf-8")
    if not isinstance(text, bytes):
        raise TypeError("text must be a str or bytes, not %s" % type(text).__name__)
    if b"\0" in text:
        raise ValueError("text contains a NUL character (the reader takes NUL-terminated text)")
    return text


class Files(_Handle):
    """A reader of Cortex files (an ncg_cortex handle): load API, cluster and catalog files, read what they
    hold, build the cluster they describe, run Cortex's checks and add the APIs to a :class:`ncg.Plan`.

    ``keep_going=False`` (strict): a file with any problem is refused as a whole and the first problem raised
    (ParseError, RangeError for a limit), the reader unchanged. ``keep_going=True``: problems are recorded as
    :attr:`diagnostics` and loading goes on. Unreadable files raise InvalidArgumentError ("PATH: No such file or
    directory") in both modes. Close with :meth:`close` or a ``with`` block (it is also freed when collected);
    everything read from it is a copy, valid after closing."""

    def __init__(self, keep_going: bool = False) -> None:
        cx = _cx()
        self._own(cx.ncg_cortex_new(_KEEP_GOING if keep_going else 0), cx.ncg_cortex_free)
        self._keep_going = bool(keep_going)

    @property
    def keep_going(self) -> bool:
        """Whether the reader records problems and goes on (the mode chosen at creation)."""
        return self._keep_going

    def load_apis(self, path: Path, text: Optional[Union[str, bytes]] = None) -> int:
        """Load a Cortex API file (a YAML list of RealtimeAPI, BatchAPI, TaskAPI, AsyncAPI and TrafficSplitter
        APIs, Cortex v0.18 to v0.42, with libncg's ``ncg:`` section), checked with Cortex's rules; returns the
        number of APIs it holds. ``path`` names the file in messages and, when ``text`` is None, is read;
        ``text`` is the file's contents instead."""
        return _cx().ncg_cortex_load_apis(self._ptr(), _path(path), _text(text))

    def load_cluster(self, path: Path, text: Optional[Union[str, bytes]] = None) -> int:
        """Load a Cortex cluster file (``instance_type`` at the top, or ``node_groups:``, plus libncg's ``price``
        and ``lnc``); returns the number of node groups. The first file with a known ``region`` sets :attr:`region`; an unknown
        region is a warning. ``path`` and ``text`` as in :meth:`load_apis`."""
        return _cx().ncg_cortex_load_cluster(self._ptr(), _path(path), _text(text))

    def load_catalog(self, catalog: Catalog, path: Path, text: Optional[Union[str, bytes]] = None) -> int:
        """Apply a catalog file (a YAML list of instance types) to ``catalog``: an entry naming a known type changes
        only the fields it gives (e.g. ``price``), a new name needs the whole type. Returns the number of entries.
        Strict mode: all entries or none; keep-going: the good ones are applied."""
        return _cx().ncg_cortex_load_catalog(self._ptr(), catalog._ptr(), _path(path), _text(text))

    @property
    def api_count(self) -> int:
        """How many APIs were loaded, TrafficSplitters (and, in keep-going mode, invalid APIs) included."""
        return _cx().ncg_cortex_api_count(self._ptr())

    def backend(self, api: int, index: int) -> Backend:
        """Backend ``index`` of TrafficSplitter ``api``; NotFoundError when out of range."""
        b = sized(_CortexBackend)
        _cx().ncg_cortex_get_backend(self._ptr(), api, index, ctypes.byref(b))
        return Backend((b.name or b"").decode("utf-8", "replace"), b.weight, bool(b.shadow), b.line, b.column)

    def api(self, index: int) -> Api:
        """API ``index``, in load order; NotFoundError when out of range."""
        p, a = self._ptr(), sized(_CortexApi)
        _cx().ncg_cortex_get_api(p, index, ctypes.byref(a))
        groups = tuple((a.nodegroups[i] or b"").decode("utf-8", "replace") for i in range(a.nodegroup_count))
        return Api(index, _str(a.name) or "", _str(a.kind), _str(a.file) or "", a.line, a.column, bool(a.splitter),
                   bool(a.invalid), Request._from_c(a.request[0]), a.min_replicas, a.init_replicas, a.max_replicas,
                   groups, a.max_per_node, tuple(self.backend(index, i) for i in range(a.backend_count)))

    @property
    def apis(self) -> List[Api]:
        """Every API loaded, in load order."""
        return [self.api(i) for i in range(self.api_count)]

    @property
    def nodegroup_count(self) -> int:
        """How many node groups the cluster files loaded hold."""
        return _cx().ncg_cortex_nodegroup_count(self._ptr())

    def nodegroup(self, index: int) -> NodeGroup:
        """Node group ``index``, in load order; NotFoundError when out of range."""
        spec, info = sized(_NodegroupSpec), sized(_CortexNodegroup)
        _cx().ncg_cortex_get_nodegroup(self._ptr(), index, ctypes.byref(spec), ctypes.byref(info))
        return NodeGroup(index, _str(spec.name) or "", _str(spec.type) or "", spec.min_nodes, spec.max_nodes,
                         spec.usd_per_hour if spec.has_price else None, spec.priority, bool(info.spot),
                         _str(info.file) or "", info.line, info.column, info.type_line, info.type_column, spec.lnc)

    @property
    def nodegroups(self) -> List[NodeGroup]:
        """Every node group, in load order."""
        return [self.nodegroup(i) for i in range(self.nodegroup_count)]

    @property
    def region(self) -> Optional[str]:
        """The ``region`` of the first cluster file that named a known one, or None."""
        return _str(_cx().ncg_cortex_get_region(self._ptr()))

    @property
    def file_count(self) -> int:
        """How many files were loaded (in keep-going mode, those refused included)."""
        return _cx().ncg_cortex_file_count(self._ptr())

    def file(self, index: int) -> str:
        """The path of file ``index``, in load order; NotFoundError when out of range."""
        p = self._ptr()
        s = _cx().ncg_cortex_get_file(p, index)
        if s is None:
            raise NotFoundError(Status.NOT_FOUND, "file %d does not exist (%d were loaded)"
                                % (index, _cx().ncg_cortex_file_count(p)))
        return s.decode("utf-8", "replace")

    @property
    def files(self) -> List[str]:
        """The paths of the files loaded, in load order."""
        return [self.file(i) for i in range(self.file_count)]

    @property
    def diagnostic_count(self) -> int:
        """How many diagnostics (errors and warnings) were recorded."""
        return _cx().ncg_cortex_diagnostic_count(self._ptr())

    @property
    def error_count(self) -> int:
        """How many of the diagnostics are errors (not warnings)."""
        return _cx().ncg_cortex_error_count(self._ptr())

    def diagnostic(self, index: int) -> Diagnostic:
        """Diagnostic ``index``: they are in file (load order), line and column order, those without a file last;
        NotFoundError when out of range."""
        d = sized(_CortexDiagnostic)
        _cx().ncg_cortex_get_diagnostic(self._ptr(), index, ctypes.byref(d))
        return Diagnostic(_str(d.message) or "", _str(d.file), d.line, d.column, bool(d.warning), _str(d.field))

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """Every diagnostic, in order (strict mode: the warnings only, since errors are raised)."""
        return [self.diagnostic(i) for i in range(self.diagnostic_count)]

    def new_cluster(self, catalog: Catalog, region: Optional[str] = None) -> Cluster:
        """A :class:`ncg.Cluster` with the node groups of the cluster files (none when none was loaded). An
        unknown instance type raises UnknownTypeError naming the catalog's region (:attr:`ncg.Catalog.region`;
        ``region`` is unused since libncg 2.2), the nearest type and ``--catalog``; in keep-going mode such groups
        are left out and recorded as diagnostics."""
        return Cluster._wrap(_cx().ncg_cortex_new_cluster(self._ptr(), catalog._ptr(), _b(region, "region")))

    def check(self, catalog: Catalog, cluster: Optional[Cluster] = None) -> int:
        """Cortex's checks of every API that could be read against the node groups of ``cluster`` it may use, or
        against the whole catalog when the cluster has no node groups (or is None). Returns 0 when all are valid;
        keep-going mode: the number of problems recorded as diagnostics; strict mode raises the first problem
        ("FILE:LINE:COLUMN: api NAME: compute: ...")."""
        if cluster is not None:
            return _cx().ncg_cortex_check(self._ptr(), catalog._ptr(), cluster._ptr())
        with Cluster() as empty:
            return _cx().ncg_cortex_check(self._ptr(), catalog._ptr(), empty._ptr())

    def add_to_plan(self, plan: Plan, replicas: Union[str, int] = "init") -> int:
        """Add every API that runs replicas (not TrafficSplitters, not invalid ones), in load order, to ``plan``
        as ``ncg plan`` does; returns how many were added. ``replicas`` is "init" (autoscaling.init_replicas),
        "min", "max", or a count 0..10000000 for every API (the negative :data:`REPLICAS_MIN`,
        :data:`REPLICAS_INIT` and :data:`REPLICAS_MAX` are the C constants). ExistsError when an API of that name
        is in the plan already, InvalidArgumentError when an API's node group is not in the plan's cluster; then
        no API is added."""
        if isinstance(replicas, bool) or not isinstance(replicas, (str, int)):
            raise TypeError("replicas must be \"init\", \"min\", \"max\" or an int, not %s" % type(replicas).__name__)
        if isinstance(replicas, str):
            if replicas not in _REPLICAS:
                raise ValueError("replicas must be \"init\", \"min\", \"max\" or an int, not %r" % replicas)
            replicas = _REPLICAS[replicas]
        return _cx().ncg_cortex_add_to_plan(self._ptr(), plan._ptr(), replicas)
