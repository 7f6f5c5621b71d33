# SPDX-License-Identifier: Apache-2.0
"""Low-level ctypes layer of the ncg package: finds and loads libncg, mirrors the structs of ncg.h and declares
every public function from one table (`_FUNCTIONS`) with its argtypes, restype and errcheck.

Nothing here is public API; `ncg` (the package) wraps it. Every ctypes Structure below mirrors one struct of
ncg.h member for member (its C name is in `_c_name_`); tests/test_layout.py compares them with the C compiler's
layout as printed by tests/abi/layout. Sized structs (those starting with `size`) are created through `sized()`,
which sets `size` to the Structure's sizeof."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

#: Environment variable naming the library file to load (tests, unusual installs).
LIBRARY_ENV = "NCG_LIBRARY"
#: The SONAME of the libncg major version this binding speaks.
SONAME = "libncg.so.2"
#: The major version of libncg this binding speaks.
MAJOR = 2
#: The oldest minor version of libncg 2 this binding works with (it wraps the functions 2.3 added).
MINOR = 3


def _load() -> Tuple[ctypes.CDLL, str]:
    """Load libncg: the file named by $NCG_LIBRARY when it is set (and nothing else then), else the SONAME
    libncg.so.2, else what ctypes.util.find_library("ncg") finds. The library must report version 2.3 or a later
    2.x (the functions this binding declares).
    Raises one ImportError listing every attempt and why it failed."""
    tried: List[str] = []
    env = os.environ.get(LIBRARY_ENV)
    if env:
        candidates: List[Tuple[str, Optional[str]]] = [("$%s=" % LIBRARY_ENV, env)]
    else:
        candidates = [("SONAME ", SONAME), ("ctypes.util.find_library('ncg') -> ", None)]
    for how, name in candidates:
        if name is None:
            name = ctypes.util.find_library("ncg")
            if not name:
                tried.append(how + "nothing")
                continue
        try:
            found = ctypes.CDLL(name)
        except OSError as e:
            tried.append("%s%s (%s)" % (how, name, e))
            continue
        try:
            fn = found.ncg_version
        except AttributeError:
            tried.append("%s%s (loaded, but it has no ncg_version: not libncg)" % (how, name))
            continue
        fn.restype, fn.argtypes = ctypes.c_char_p, []
        ver = (fn() or b"").decode("ascii", "replace")
        parts = ver.split(".")
        if parts[0] != str(MAJOR):
            tried.append("%s%s (libncg %s; this binding needs %d.x)" % (how, name, ver, MAJOR))
            continue
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) < MINOR:
            tried.append("%s%s (libncg %s; this binding needs %d.%d or later)" % (how, name, ver, MAJOR, MINOR))
            continue
        return found, name
    raise ImportError("cannot load libncg %d.x; tried: %s. Set $%s to the path of libncg.so.%d, or install libncg "
                      "%d.%d or later where the dynamic loader finds it." % (MAJOR, "; ".join(tried), LIBRARY_ENV,
                                                                            MAJOR, MAJOR, MINOR))


lib, library_name = _load()

# ------------------------------------------------------------------------------------------------------------
# Structs of ncg.h, in header order.

_ENV_MAX = 320       # NCG_ENV_MAX
_ULTRASERVER_MAX_NODES = 4  # NCG_ULTRASERVER_MAX_NODES
_MESSAGE_MAX = 512   # NCG_MESSAGE_MAX


class _Error(ctypes.Structure):
    _c_name_ = "ncg_error"
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * _MESSAGE_MAX)]


class _Type(ctypes.Structure):
    _c_name_ = "ncg_type"
    _fields_ = [("size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("family", ctypes.c_char_p),
                ("accelerator", ctypes.c_int), ("chips", ctypes.c_int), ("cores_per_chip", ctypes.c_int),
                ("physical_cores_per_chip", ctypes.c_int), ("device_memory_bytes", ctypes.c_int64),
                ("gpus", ctypes.c_int), ("cpu_milli", ctypes.c_int64), ("memory_bytes", ctypes.c_int64),
                ("hugepages_bytes", ctypes.c_int64), ("topology", ctypes.c_int), ("has_price", ctypes.c_int),
                ("usd_per_hour", ctypes.c_double),
                # 2.3
                ("lnc", ctypes.c_int), ("hbm_banks", ctypes.c_int)]


class _Reserve(ctypes.Structure):
    _c_name_ = "ncg_reserve"
    _fields_ = [("size", ctypes.c_uint32), ("cpu_milli", ctypes.c_int64), ("memory_bytes", ctypes.c_int64),
                ("plugin_cpu_milli", ctypes.c_int64), ("plugin_memory_bytes", ctypes.c_int64),
                ("runtime_bytes_per_core", ctypes.c_int64)]


class _Model(ctypes.Structure):
    _c_name_ = "ncg_model"
    _fields_ = [("size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("bytes", ctypes.c_int64),
                ("compiled_cores", ctypes.c_int), ("static_weights", ctypes.c_int)]


class _Request(ctypes.Structure):
    _c_name_ = "ncg_request"
    _fields_ = [("size", ctypes.c_uint32), ("inf", ctypes.c_int64), ("neuroncores", ctypes.c_int64),
                ("ppr", ctypes.c_int64), ("cpu_milli", ctypes.c_int64), ("memory_bytes", ctypes.c_int64),
                ("gpu", ctypes.c_int64), ("hugepages_bytes", ctypes.c_int64), ("models", ctypes.POINTER(_Model)),
                ("model_count", ctypes.c_size_t),
                # 2.3
                ("lnc", ctypes.c_int)]


class _CoreGroup(ctypes.Structure):
    _c_name_ = "ncg_core_group"
    _fields_ = [("process", ctypes.c_int), ("first_core", ctypes.c_int), ("core_count", ctypes.c_int),
                ("first_chip", ctypes.c_int), ("chip_count", ctypes.c_int), ("cache_bytes", ctypes.c_int64)]


class _Env(ctypes.Structure):
    _c_name_ = "ncg_env"
    _fields_ = [("size", ctypes.c_uint32), ("visible_cores", ctypes.c_char * _ENV_MAX),
                ("core_group_sizes", ctypes.c_char * _ENV_MAX), ("visible_devices", ctypes.c_char * _ENV_MAX),
                # 2.3
                ("logical_nc_config", ctypes.c_char * _ENV_MAX), ("ultraserver_mode", ctypes.c_char * _ENV_MAX),
                ("ultraserver_server_id", ctypes.c_char * _ENV_MAX),
                ("ultraserver_node_id", ctypes.c_char * _ENV_MAX)]


class _Alloc(ctypes.Structure):
    _c_name_ = "ncg_alloc"
    _fields_ = [("size", ctypes.c_uint32), ("id", ctypes.c_uint64), ("whole_chips", ctypes.c_int),
                ("first_chip", ctypes.c_int), ("chip_count", ctypes.c_int), ("first_core", ctypes.c_int),
                ("core_count", ctypes.c_int), ("ppr", ctypes.c_int), ("ncg_size", ctypes.c_int),
                ("cpu_milli", ctypes.c_int64), ("memory_bytes", ctypes.c_int64), ("hugepages_bytes", ctypes.c_int64)]


class _NodeStatus(ctypes.Structure):
    _c_name_ = "ncg_node_status"
    _fields_ = [("size", ctypes.c_uint32), ("chips", ctypes.c_int), ("cores_per_chip", ctypes.c_int),
                ("free_chip_mask", ctypes.c_uint64), ("free_chips", ctypes.c_int), ("free_cores", ctypes.c_int),
                ("largest_window", ctypes.c_int), ("cpu_usable_milli", ctypes.c_int64),
                ("memory_usable_bytes", ctypes.c_int64), ("cpu_free_milli", ctypes.c_int64),
                ("memory_free_bytes", ctypes.c_int64), ("hugepages_free_bytes", ctypes.c_int64),
                ("allocations", ctypes.c_int), ("policy", ctypes.c_int),
                # 2.3
                ("lnc", ctypes.c_int)]


class _ChipCache(ctypes.Structure):
    _c_name_ = "ncg_chip_cache"
    _fields_ = [("size", ctypes.c_uint32), ("chip", ctypes.c_int), ("capacity_bytes", ctypes.c_int64),
                ("reserve_bytes", ctypes.c_int64), ("used_bytes", ctypes.c_int64), ("free_bytes", ctypes.c_int64),
                ("core_groups", ctypes.c_int)]


class _CoreGroupRef(ctypes.Structure):
    _c_name_ = "ncg_core_group_ref"
    _fields_ = [("alloc_id", ctypes.c_uint64), ("process", ctypes.c_int)]


class _CoreGroupCache(ctypes.Structure):
    _c_name_ = "ncg_core_group_cache"
    _fields_ = [("size", ctypes.c_uint32), ("core_group", _CoreGroup), ("reachable_bytes", ctypes.c_int64),
                ("share_bytes", ctypes.c_int64), ("need_bytes", ctypes.c_int64), ("shared_with", ctypes.c_int),
                ("state", ctypes.c_int)]


class _NodegroupSpec(ctypes.Structure):
    _c_name_ = "ncg_nodegroup_spec"
    _fields_ = [("size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("type", ctypes.c_char_p),
                ("min_nodes", ctypes.c_int), ("max_nodes", ctypes.c_int), ("has_price", ctypes.c_int),
                ("usd_per_hour", ctypes.c_double), ("priority", ctypes.c_int),
                # 2.3
                ("lnc", ctypes.c_int)]


class _Placement(ctypes.Structure):
    _c_name_ = "ncg_placement"
    _fields_ = [("size", ctypes.c_uint32), ("node", ctypes.c_char_p), ("node_index", ctypes.c_int),
                ("nodegroup", ctypes.c_int), ("alloc_id", ctypes.c_uint64)]


class _Move(ctypes.Structure):
    _c_name_ = "ncg_move"
    _fields_ = [("from", ctypes.c_char_p), ("alloc_id", ctypes.c_uint64), ("to", ctypes.c_char_p)]


class _NodeScore(ctypes.Structure):
    _c_name_ = "ncg_node_score"
    _fields_ = [("size", ctypes.c_uint32), ("node_index", ctypes.c_int), ("nodegroup", ctypes.c_int),
                ("priority", ctypes.c_int), ("leftover", ctypes.c_int), ("free_after", ctypes.c_int64),
                ("seq", ctypes.c_uint64), ("free_cores", ctypes.c_int)]


class _ApiSpec(ctypes.Structure):
    _c_name_ = "ncg_api_spec"
    _fields_ = [("size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("request", ctypes.POINTER(_Request)),
                ("replicas", ctypes.c_int), ("nodegroups", ctypes.POINTER(ctypes.c_char_p)),
                ("nodegroup_count", ctypes.c_size_t), ("max_per_node", ctypes.c_int)]


class _PlanSummary(ctypes.Structure):
    _c_name_ = "ncg_plan_summary"
    _fields_ = [("size", ctypes.c_uint32), ("price_per_hour", ctypes.c_double),
                ("lower_bound_per_hour", ctypes.c_double), ("gap", ctypes.c_double), ("nodes", ctypes.c_int),
                ("new_nodes", ctypes.c_int), ("replicas", ctypes.c_int), ("placed", ctypes.c_int),
                ("unplaced", ctypes.c_int), ("unpriced_nodes", ctypes.c_int), ("chips_used", ctypes.c_int64),
                ("chips_total", ctypes.c_int64), ("cpu_used_milli", ctypes.c_int64),
                ("cpu_total_milli", ctypes.c_int64), ("memory_used_bytes", ctypes.c_int64),
                ("memory_total_bytes", ctypes.c_int64),
                ("converged", ctypes.c_int),
                # 2.1
                ("solve_seconds", ctypes.c_double), ("generation_seconds", ctypes.c_double),
                ("rounding_seconds", ctypes.c_double), ("packing_seconds", ctypes.c_double),
                ("rounds", ctypes.c_int), ("patterns", ctypes.c_int), ("stopped", ctypes.c_int),
                # 2.2
                ("optimal", ctypes.c_int)]


class _PlanOptions(ctypes.Structure):
    _c_name_ = "ncg_plan_options"
    _fields_ = [("size", ctypes.c_uint32), ("time_limit_s", ctypes.c_double), ("work_limit", ctypes.c_int64),
                ("flags", ctypes.c_uint)]


class _PlanReplica(ctypes.Structure):
    _c_name_ = "ncg_plan_replica"
    _fields_ = [("size", ctypes.c_uint32), ("api", ctypes.c_int), ("replica", ctypes.c_int), ("node", ctypes.c_int),
                ("alloc_id", ctypes.c_uint64)]


def sized(cls: Any) -> Any:
    """A zeroed sized struct with `size` set to its sizeof (NCG_INIT)."""
    s = cls()
    s.size = ctypes.sizeof(cls)
    return s


# ------------------------------------------------------------------------------------------------------------
# Errors: the C library reports a negative code and fills an ncg_error; `raise_error` is set by the package to
# turn them into its exception classes.

def _default_raise(code: int, message: str) -> None:  # replaced by ncg.errors at import
    raise RuntimeError("libncg error %d: %s" % (code, message))


raise_error: Callable[[int, str], None] = _default_raise


def _message(code: int, err: Optional[_Error]) -> str:
    if err is not None and err.code == code and err.message:
        return err.message.decode("utf-8", "replace")
    s = lib.ncg_strerror(code)
    return (s or b"unknown error").decode("utf-8", "replace")


def _errcheck_status(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    """int-returning functions: negative is a failure, and the code is always the return value."""
    if result < 0:
        raise_error(result, _message(result, args[-1]))
    return result


def _errcheck_handle(result: Optional[int], func: Any, args: Tuple[Any, ...]) -> int:
    """Constructors: NULL is a failure, and the code is in the ncg_error only."""
    if not result:
        err = args[-1]
        code = err.code if err.code < 0 else -2
        raise_error(code, _message(code, err))
    return result


# ------------------------------------------------------------------------------------------------------------
# The function table: (name, restype, argtypes without the trailing ncg_error *, kind). kind is
#   "status": returns int, takes ncg_error * last; negative = failure (errcheck raises)
#   "handle": returns a pointer, takes ncg_error * last; NULL = failure (errcheck raises)
#   "plain":  takes no ncg_error; never fails (counts, names, free, init)

_P = ctypes.c_void_p                      # opaque handles
_S = ctypes.c_char_p                      # const char * (in or out)
_BUF = ctypes.POINTER(ctypes.c_char)      # caller string buffers (may be None with size 0)
_I = ctypes.c_int
_U = ctypes.c_uint
_I64 = ctypes.c_int64
_U64 = ctypes.c_uint64
_Z = ctypes.c_size_t
_D = ctypes.c_double
_I64P = ctypes.POINTER(ctypes.c_int64)
_IP = ctypes.POINTER(ctypes.c_int)
_SP = ctypes.POINTER(ctypes.c_char_p)
_PP = ctypes.POINTER(ctypes.c_void_p)
_REQ = ctypes.POINTER(_Request)

_FUNCTIONS: List[Tuple[str, Any, List[Any], str]] = [
    ("ncg_version", _S, [], "plain"),
    ("ncg_strerror", _S, [_I], "plain"),
    ("ncg_parse_cpu", _I, [_S, _I64P], "status"),
    ("ncg_parse_memory", _I, [_S, _I64P], "status"),
    ("ncg_format_cpu", _I, [_I64, _BUF, _Z], "status"),
    ("ncg_format_memory", _I, [_I64, _BUF, _Z], "status"),
    # catalog
    ("ncg_catalog_new", _P, [_U], "handle"),
    ("ncg_catalog_new_region", _P, [_S, _U], "handle"),
    ("ncg_catalog_get_regions", _I, [_SP, _Z], "status"),
    ("ncg_catalog_get_region", _S, [_P], "plain"),
    ("ncg_catalog_free", _P, [_P], "plain"),
    ("ncg_catalog_type_count", _I, [_P], "plain"),
    ("ncg_catalog_get_type", _I, [_P, _I, ctypes.POINTER(_Type)], "status"),
    ("ncg_catalog_find_type", _I, [_P, _S, ctypes.POINTER(_Type)], "status"),
    ("ncg_catalog_set_type", _I, [_P, ctypes.POINTER(_Type)], "status"),
    ("ncg_catalog_remove_type", _I, [_P, _S], "status"),
    ("ncg_catalog_set_price", _I, [_P, _S, _I, _D], "status"),
    ("ncg_catalog_get_reserve", _I, [_P, ctypes.POINTER(_Reserve)], "status"),
    ("ncg_catalog_set_reserve", _I, [_P, ctypes.POINTER(_Reserve)], "status"),
    ("ncg_catalog_get_usable", _I, [_P, _S, _I64P, _I64P], "status"),
    ("ncg_topology_name", _S, [_I], "plain"),
    ("ncg_accel_name", _S, [_I], "plain"),
    # requests, NCGs
    ("ncg_request_init", None, [_REQ], "plain"),
    ("ncg_ppr_check", _I, [_I, _I, _I64, _I64], "status"),
    ("ncg_ppr_values", _I, [_I64, _I64P, _Z], "status"),
    ("ncg_request_check", _I, [_P, _S, _REQ], "status"),
    ("ncg_request_advice", _I, [_P, _S, _REQ, _BUF, _Z, _IP], "status"),
    ("ncg_request_layout", _I, [_P, _S, _REQ, ctypes.POINTER(_CoreGroup), _Z], "status"),
    # env strings
    ("ncg_parse_visible_cores", _I, [_S, _I, _IP, _IP], "status"),
    ("ncg_parse_visible_devices", _I, [_S, _I, _IP, _IP], "status"),
    ("ncg_parse_core_group_sizes", _I, [_S, _IP, _Z], "status"),
    ("ncg_format_ids", _I, [_I, _I, _I, _BUF, _Z], "status"),
    # nodes
    ("ncg_node_new", _P, [_P, _S, _U], "handle"),
    ("ncg_node_clone", _P, [_P], "handle"),
    ("ncg_node_free", _P, [_P], "plain"),
    ("ncg_node_set_lnc", _I, [_P, _I], "status"),
    ("ncg_node_set_policy", _I, [_P, _I], "status"),
    ("ncg_node_get_type_name", _S, [_P], "plain"),
    ("ncg_node_check", _I, [_P, _REQ], "status"),
    ("ncg_node_allocate", _I, [_P, _REQ, ctypes.POINTER(_Alloc)], "status"),
    ("ncg_node_adopt", _I, [_P, _REQ, _S, _SP, _Z, ctypes.POINTER(_Alloc)], "status"),
    ("ncg_node_release", _I, [_P, _U64], "status"),
    ("ncg_node_get_alloc", _I, [_P, _U64, ctypes.POINTER(_Alloc)], "status"),
    ("ncg_node_get_alloc_ids", _I, [_P, ctypes.POINTER(_U64), _Z], "status"),
    ("ncg_node_get_core_groups", _I, [_P, _U64, ctypes.POINTER(_CoreGroup), _Z], "status"),
    ("ncg_node_get_env", _I, [_P, _U64, _I, ctypes.POINTER(_Env)], "status"),
    ("ncg_node_get_status", _I, [_P, ctypes.POINTER(_NodeStatus)], "status"),
    # device memory
    ("ncg_node_get_chip_cache", _I, [_P, _I, ctypes.POINTER(_ChipCache)], "status"),
    ("ncg_node_get_core_group_cache", _I, [_P, _U64, _I, ctypes.POINTER(_CoreGroupCache),
                                           ctypes.POINTER(_CoreGroupRef), _Z], "status"),
    ("ncg_cache_state_name", _S, [_I], "plain"),
    # clusters
    ("ncg_cluster_new", _P, [_U], "handle"),
    ("ncg_cluster_clone", _P, [_P], "handle"),
    ("ncg_cluster_free", _P, [_P], "plain"),
    ("ncg_cluster_add_nodegroup", _I, [_P, _P, ctypes.POINTER(_NodegroupSpec)], "status"),
    ("ncg_cluster_nodegroup_count", _I, [_P], "plain"),
    ("ncg_cluster_set_policy", _I, [_P, _S, _I], "status"),
    ("ncg_cluster_get_policy", _I, [_P, _S], "status"),
    ("ncg_cluster_get_nodegroup", _I, [_P, _I, ctypes.POINTER(_NodegroupSpec), ctypes.POINTER(_Type)], "status"),
    ("ncg_cluster_add_node", _I, [_P, _S, _S], "status"),
    ("ncg_cluster_remove_node", _I, [_P, _S], "status"),
    ("ncg_cluster_node_count", _I, [_P], "plain"),
    ("ncg_cluster_get_node", _I, [_P, _I, _PP, _SP, _IP], "status"),
    ("ncg_cluster_find_node", _I, [_P, _S], "status"),
    ("ncg_cluster_place", _I, [_P, _REQ, _SP, _Z, ctypes.POINTER(_Placement)], "status"),
    ("ncg_cluster_score_node", _I, [_P, _S, _REQ, ctypes.POINTER(_NodeScore)], "status"),
    ("ncg_node_score_compare", _I, [ctypes.POINTER(_NodeScore), ctypes.POINTER(_NodeScore)], "plain"),
    ("ncg_node_score_rank", _I, [ctypes.POINTER(_NodeScore), _Z, ctypes.POINTER(ctypes.c_int)], "status"),
    ("ncg_cluster_place_on", _I, [_P, _S, _REQ, ctypes.POINTER(_Placement)], "status"),
    ("ncg_cluster_release", _I, [_P, _S, _U64], "status"),
    ("ncg_cluster_set_node_ultraserver", _I, [_P, _S, _S, _I], "status"),
    ("ncg_cluster_get_node_ultraserver", _I, [_P, _I, _SP, _IP], "status"),
    ("ncg_cluster_place_ultraserver", _I, [_P, _REQ, _I, _SP, _Z, ctypes.POINTER(_Placement), _Z], "status"),
    ("ncg_cluster_get_env", _I, [_P, _S, _U64, _I, ctypes.POINTER(_Env)], "status"),
    ("ncg_cluster_adopt", _I, [_P, _S, _REQ, _S, _SP, _Z, ctypes.POINTER(_Alloc)], "status"),
    ("ncg_cluster_dump", _I, [_P, _BUF, _Z], "status"),
    ("ncg_cluster_restore", _P, [_S, _U], "handle"),
    ("ncg_cluster_defrag", _I, [_P, _I, _S, ctypes.POINTER(_Move), _Z, _SP], "status"),
    # plans
    ("ncg_plan_new", _P, [_P, _U], "handle"),
    ("ncg_plan_free", _P, [_P], "plain"),
    ("ncg_plan_add_api", _I, [_P, ctypes.POINTER(_ApiSpec)], "status"),
    ("ncg_plan_options_init", None, [ctypes.POINTER(_PlanOptions)], "plain"),
    ("ncg_plan_set_options", _I, [_P, ctypes.POINTER(_PlanOptions)], "status"),
    ("ncg_plan_get_options", _I, [_P, ctypes.POINTER(_PlanOptions)], "status"),
    ("ncg_plan_solve", _I, [_P], "status"),
    ("ncg_plan_get_summary", _I, [_P, ctypes.POINTER(_PlanSummary)], "status"),
    ("ncg_plan_get_cluster", _P, [_P], "plain"),
    ("ncg_plan_replica_count", _I, [_P], "plain"),
    ("ncg_plan_get_replica", _I, [_P, _I, ctypes.POINTER(_PlanReplica)], "status"),
    ("ncg_plan_get_unplaced", _I, [_P, _I, _BUF, _Z, _IP], "status"),
    ("ncg_plan_get_headroom", _I, [_P, _I], "status"),
    ("ncg_plan_get_api_name", _S, [_P, _I], "plain"),
    ("ncg_plan_api_count", _I, [_P], "plain"),
]


class _Functions:
    """The declared functions, as attributes named after the C functions. Those of kind "status" and "handle"
    append a fresh ncg_error themselves: call them without it. `.cfunc` of each is the ctypes function."""


C = _Functions()
KINDS: Dict[str, str] = {}


def _bind(name: str, restype: Any, argtypes: List[Any], kind: str,
          library: Optional[ctypes.CDLL] = None) -> Callable[..., Any]:
    f = getattr(library if library is not None else lib, name)
    f.restype = restype
    if kind == "plain":
        f.argtypes = argtypes
        return f
    f.argtypes = argtypes + [ctypes.POINTER(_Error)]
    f.errcheck = _errcheck_status if kind == "status" else _errcheck_handle

    def call(*args: Any) -> Any:
        return f(*args, _Error())

    call.__name__ = call.__qualname__ = name
    call.cfunc = f  # type: ignore[attr-defined]
    return call


for _name, _restype, _argtypes, _kind in _FUNCTIONS:
    setattr(C, _name, _bind(_name, _restype, _argtypes, _kind))
    KINDS[_name] = _kind
del _name, _restype, _argtypes, _kind


def text(fill: Callable[[Any, int], int]) -> str:
    """The buffer rule for strings: fill(buf, size) returns the full length and writes buf only when it fits."""
    n = fill(None, 0)
    while True:
        buf = ctypes.create_string_buffer(n + 1)
        m = fill(buf, n + 1)
        if m <= n:
            return buf.raw[:m].decode("utf-8", "replace")
        n = m


def array(ctype: Any, fill: Callable[[Any, int], int]) -> List[Any]:
    """The buffer rule for arrays: fill(out, size) returns the full count and writes out only when it fits."""
    n = fill(None, 0)
    while True:
        out = (ctype * max(n, 1))()
        m = fill(out if n else None, n)
        if m <= n:
            return list(out[:m])
        n = m


# ------------------------------------------------------------------------------------------------------------
# libncg-cortex (ncg-cortex.h): the Cortex file reader, optional. It is loaded on first use (cortex()), not at
# import, so that `import ncg` works where only libncg is installed.

#: Environment variable naming the libncg-cortex file to load (tests, unusual installs).
CORTEX_LIBRARY_ENV = "NCG_CORTEX_LIBRARY"
#: The SONAME of the libncg-cortex major version this binding speaks (the same major as libncg's).
CORTEX_SONAME = "libncg-cortex.so.2"


class _CortexApi(ctypes.Structure):
    _c_name_ = "ncg_cortex_api"
    _fields_ = [("size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("kind", ctypes.c_char_p),
                ("file", ctypes.c_char_p), ("line", ctypes.c_int), ("column", ctypes.c_int),
                ("splitter", ctypes.c_int), ("invalid", ctypes.c_int), ("request", ctypes.POINTER(_Request)),
                ("min_replicas", ctypes.c_int), ("init_replicas", ctypes.c_int), ("max_replicas", ctypes.c_int),
                ("nodegroups", ctypes.POINTER(ctypes.c_char_p)), ("nodegroup_count", ctypes.c_size_t),
                ("max_per_node", ctypes.c_int), ("backend_count", ctypes.c_size_t)]


class _CortexBackend(ctypes.Structure):
    _c_name_ = "ncg_cortex_backend"
    _fields_ = [("size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("weight", ctypes.c_int),
                ("shadow", ctypes.c_int), ("line", ctypes.c_int), ("column", ctypes.c_int)]


class _CortexNodegroup(ctypes.Structure):
    _c_name_ = "ncg_cortex_nodegroup"
    _fields_ = [("size", ctypes.c_uint32), ("file", ctypes.c_char_p), ("line", ctypes.c_int),
                ("column", ctypes.c_int), ("type_line", ctypes.c_int), ("type_column", ctypes.c_int),
                ("spot", ctypes.c_int)]


class _CortexDiagnostic(ctypes.Structure):
    _c_name_ = "ncg_cortex_diagnostic"
    _fields_ = [("size", ctypes.c_uint32), ("message", ctypes.c_char_p), ("file", ctypes.c_char_p),
                ("line", ctypes.c_int), ("column", ctypes.c_int), ("warning", ctypes.c_int),
                ("field", ctypes.c_char_p)]


#: The functions of ncg-cortex.h, in header order, with the kinds of `_FUNCTIONS`.
_CORTEX_FUNCTIONS: List[Tuple[str, Any, List[Any], str]] = [
    ("ncg_cortex_version", _S, [], "plain"),
    ("ncg_cortex_new", _P, [_U], "handle"),
    ("ncg_cortex_free", _P, [_P], "plain"),
    ("ncg_cortex_load_apis", _I, [_P, _S, _S], "status"),
    ("ncg_cortex_load_cluster", _I, [_P, _S, _S], "status"),
    ("ncg_cortex_load_catalog", _I, [_P, _P, _S, _S], "status"),
    ("ncg_cortex_api_count", _I, [_P], "plain"),
    ("ncg_cortex_get_api", _I, [_P, _I, ctypes.POINTER(_CortexApi)], "status"),
    ("ncg_cortex_get_backend", _I, [_P, _I, _I, ctypes.POINTER(_CortexBackend)], "status"),
    ("ncg_cortex_nodegroup_count", _I, [_P], "plain"),
    ("ncg_cortex_get_nodegroup", _I, [_P, _I, ctypes.POINTER(_NodegroupSpec), ctypes.POINTER(_CortexNodegroup)],
     "status"),
    ("ncg_cortex_get_region", _S, [_P], "plain"),
    ("ncg_cortex_file_count", _I, [_P], "plain"),
    ("ncg_cortex_get_file", _S, [_P, _I], "plain"),
    ("ncg_cortex_diagnostic_count", _I, [_P], "plain"),
    ("ncg_cortex_error_count", _I, [_P], "plain"),
    ("ncg_cortex_get_diagnostic", _I, [_P, _I, ctypes.POINTER(_CortexDiagnostic)], "status"),
    ("ncg_cortex_suggest_type", _S, [_P, _S], "plain"),
    ("ncg_cortex_new_cluster", _P, [_P, _P, _S], "handle"),
    ("ncg_cortex_check", _I, [_P, _P, _P], "status"),
    ("ncg_cortex_add_to_plan", _I, [_P, _P, _I], "status"),
]

_cortex: Optional[Tuple[Any, Any, str]] = None  # (C functions, CDLL, file name) once loaded


def _load_cortex() -> Tuple[ctypes.CDLL, str]:
    """Load libncg-cortex: the file named by $NCG_CORTEX_LIBRARY when it is set (and nothing else then), else
    libncg-cortex.so.2 in the directory libncg was loaded from (when it was loaded by path), else the SONAME, else
    what ctypes.util.find_library("ncg-cortex") finds. Its version must be libncg's (it is built with libncg).
    Raises one ImportError listing every attempt and why it failed."""
    tried: List[str] = []
    env = os.environ.get(CORTEX_LIBRARY_ENV)
    if env:
        candidates: List[Tuple[str, Optional[str]]] = [("$%s=" % CORTEX_LIBRARY_ENV, env)]
    else:
        candidates = []
        if os.sep in library_name:
            candidates.append(("next to libncg ", os.path.join(os.path.dirname(library_name), CORTEX_SONAME)))
        candidates += [("SONAME ", CORTEX_SONAME), ("ctypes.util.find_library('ncg-cortex') -> ", None)]
    want = (lib.ncg_version() or b"").decode("ascii", "replace")
    for how, name in candidates:
        if name is None:
            name = ctypes.util.find_library("ncg-cortex")
            if not name:
                tried.append(how + "nothing")
                continue
        try:
            found = ctypes.CDLL(name)
        except OSError as e:
            tried.append("%s%s (%s)" % (how, name, e))
            continue
        try:
            fn = found.ncg_cortex_version
        except AttributeError:
            tried.append("%s%s (loaded, but it has no ncg_cortex_version: not libncg-cortex)" % (how, name))
            continue
        fn.restype, fn.argtypes = ctypes.c_char_p, []
        ver = (fn() or b"").decode("ascii", "replace")
        if ver != want:
            tried.append("%s%s (libncg-cortex %s; the loaded libncg is %s)" % (how, name, ver, want))
            continue
        return found, name
    raise ImportError("cannot load libncg-cortex (the Cortex file reader) %s; tried: %s. Set $%s to the path of %s, "
                      "or install libncg-cortex where the dynamic loader finds it (meson builds it when libyaml is "
                      "found)." % (want, "; ".join(tried), CORTEX_LIBRARY_ENV, CORTEX_SONAME))


def cortex() -> Any:
    """The functions of `_CORTEX_FUNCTIONS` as attributes (like `C`), loading libncg-cortex on the first call.
    A failed load raises ImportError; a later call tries again."""
    global _cortex
    if _cortex is None:
        found, name = _load_cortex()
        fns = _Functions()
        for n, restype, argtypes, kind in _CORTEX_FUNCTIONS:
            setattr(fns, n, _bind(n, restype, argtypes, kind, found))
            KINDS[n] = kind
        _cortex = (fns, found, name)
    return _cortex[0]


def cortex_library() -> Tuple[ctypes.CDLL, str]:
    """The loaded libncg-cortex and the name it was loaded by (loading it as cortex() does)."""
    cortex()
    assert _cortex is not None
    return _cortex[1], _cortex[2]
