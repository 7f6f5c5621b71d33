"""Python bindings for libncg 2.x (ctypes). Thin: every rule lives in the C library; this module converts types,
owns handles and raises errors. The library is found via $NCG_LIBRARY, else the system's libncg.so.2.

Every ctypes Structure below mirrors one struct of ncg.h member for member (its C name is in `_c_name_`);
tests/test_layout.py compares them with the C compiler's layout. Sized structs (those starting with `size`) are
always created through _sized(), which sets `size` to the Structure's sizeof, right before the call that uses
them. Allocation ids are Python ints (uint64_t in C)."""
import ctypes
import os

_lib = ctypes.CDLL(os.environ.get("NCG_LIBRARY") or "libncg.so.2")

# ------------------------------------------------------------------------------------------------------------
# Structs of ncg.h, in header order.

_ENV_MAX = 320       # NCG_ENV_MAX
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
                ("usd_per_hour", ctypes.c_double)]


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
                ("model_count", ctypes.c_size_t)]


class _CoreGroup(ctypes.Structure):
    _c_name_ = "ncg_core_group"
    _fields_ = [("process", ctypes.c_int), ("first_core", ctypes.c_int), ("core_count", ctypes.c_int),
                ("first_chip", ctypes.c_int), ("chip_count", ctypes.c_int), ("cache_bytes", ctypes.c_int64)]


class _Env(ctypes.Structure):
    _c_name_ = "ncg_env"
    _fields_ = [("size", ctypes.c_uint32), ("visible_cores", ctypes.c_char * _ENV_MAX),
                ("core_group_sizes", ctypes.c_char * _ENV_MAX), ("visible_devices", ctypes.c_char * _ENV_MAX)]


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
                ("allocations", ctypes.c_int), ("policy", ctypes.c_int)]


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
                ("usd_per_hour", ctypes.c_double)]


class _Placement(ctypes.Structure):
    _c_name_ = "ncg_placement"
    _fields_ = [("size", ctypes.c_uint32), ("node", ctypes.c_char_p), ("node_index", ctypes.c_int),
                ("nodegroup", ctypes.c_int), ("alloc_id", ctypes.c_uint64)]


class _Move(ctypes.Structure):
    _c_name_ = "ncg_move"
    _fields_ = [("from", ctypes.c_char_p), ("alloc_id", ctypes.c_uint64), ("to", ctypes.c_char_p)]


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
                ("converged", ctypes.c_int)]


class _PlanReplica(ctypes.Structure):
    _c_name_ = "ncg_plan_replica"
    _fields_ = [("size", ctypes.c_uint32), ("api", ctypes.c_int), ("replica", ctypes.c_int), ("node", ctypes.c_int),
                ("alloc_id", ctypes.c_uint64)]


def _sized(cls):
    """A zeroed sized struct with `size` set to its sizeof (NCG_INIT)."""
    s = cls()
    s.size = ctypes.sizeof(cls)
    return s


def _struct_dict(s, *skip):
    return {name: getattr(s, name) for name, _ in s._fields_ if name != "size" and name not in skip}


# ------------------------------------------------------------------------------------------------------------
# Errors and function declarations.

class NcgError(Exception):
    """A failed libncg call: .code is the negative ncg_status, .message (and str()) the library's message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


_E = ctypes.POINTER(_Error)
_P = ctypes.c_void_p               # opaque handles
_BUF = ctypes.POINTER(ctypes.c_char)  # caller string buffers (may be None with size 0)


def _declare(name, restype, *argtypes, err=True):
    """Declare a library function. With err=True its C signature ends with `ncg_error *err`; the returned Python
    callable takes the other arguments, passes a fresh ncg_error and raises NcgError on failure (a negative
    return, or NULL from a constructor)."""
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes) + ([_E] if err else [])
    if not err:
        return f

    def call(*args):
        e = _Error()
        r = f(*args, ctypes.byref(e))
        if restype is _P:
            if r is None:
                raise NcgError(e.code, e.message.decode() or _strerror(e.code).decode())
        elif r < 0:
            # The code is always in the return value; the message is the library's.
            raise NcgError(r, e.message.decode() if e.code == r else _strerror(r).decode())
        return r

    call.__name__ = name
    call.cfunc = f
    return call


def _text(fill):
    """The buffer rule for strings: fill(buf, size) returns the full length and writes buf only when it fits."""
    n = fill(None, 0)
    while True:
        buf = ctypes.create_string_buffer(n + 1)
        m = fill(buf, n + 1)
        if m <= n:
            return buf.raw[:m].decode()
        n = m


def _array(ctype, fill):
    """The buffer rule for arrays: fill(out, size) returns the full count and writes out only when it fits."""
    n = fill(None, 0)
    while True:
        out = (ctype * max(n, 1))()
        m = fill(out, n)
        if m <= n:
            return list(out[:m])
        n = m


_I64P = ctypes.POINTER(ctypes.c_int64)
_version = _declare("ncg_version", ctypes.c_char_p, err=False)
_strerror = _declare("ncg_strerror", ctypes.c_char_p, ctypes.c_int, err=False)
_parse_cpu = _declare("ncg_parse_cpu", ctypes.c_int, ctypes.c_char_p, _I64P)
_parse_memory = _declare("ncg_parse_memory", ctypes.c_int, ctypes.c_char_p, _I64P)
_format_cpu = _declare("ncg_format_cpu", ctypes.c_int, ctypes.c_int64, _BUF, ctypes.c_size_t)
_format_memory = _declare("ncg_format_memory", ctypes.c_int, ctypes.c_int64, _BUF, ctypes.c_size_t)
_catalog_new = _declare("ncg_catalog_new", _P, ctypes.c_uint)
_catalog_free = _declare("ncg_catalog_free", _P, _P, err=False)
_catalog_type_count = _declare("ncg_catalog_type_count", ctypes.c_int, _P, err=False)
_catalog_get_type = _declare("ncg_catalog_get_type", ctypes.c_int, _P, ctypes.c_int, ctypes.POINTER(_Type))
_catalog_find_type = _declare("ncg_catalog_find_type", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_Type))
_catalog_get_usable = _declare("ncg_catalog_get_usable", ctypes.c_int, _P, ctypes.c_char_p, _I64P, _I64P)
_topology_name = _declare("ncg_topology_name", ctypes.c_char_p, ctypes.c_int, err=False)
_accel_name = _declare("ncg_accel_name", ctypes.c_char_p, ctypes.c_int, err=False)
_request_init = _declare("ncg_request_init", None, ctypes.POINTER(_Request), err=False)
_ppr_check = _declare("ncg_ppr_check", ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
_ppr_values = _declare("ncg_ppr_values", ctypes.c_int, ctypes.c_int64, _I64P, ctypes.c_size_t)
_request_check = _declare("ncg_request_check", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_Request))
_request_advice = _declare("ncg_request_advice", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_Request), _BUF,
                           ctypes.c_size_t, ctypes.POINTER(ctypes.c_int))
_request_layout = _declare("ncg_request_layout", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_Request),
                           ctypes.POINTER(_CoreGroup), ctypes.c_size_t)
_node_new = _declare("ncg_node_new", _P, _P, ctypes.c_char_p, ctypes.c_uint)
_node_free = _declare("ncg_node_free", _P, _P, err=False)
_node_get_type_name = _declare("ncg_node_get_type_name", ctypes.c_char_p, _P, err=False)
_node_allocate = _declare("ncg_node_allocate", ctypes.c_int, _P, ctypes.POINTER(_Request), ctypes.POINTER(_Alloc))
_node_adopt = _declare("ncg_node_adopt", ctypes.c_int, _P, ctypes.POINTER(_Request), ctypes.c_char_p,
                       ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.POINTER(_Alloc))
_node_release = _declare("ncg_node_release", ctypes.c_int, _P, ctypes.c_uint64)
_node_get_alloc = _declare("ncg_node_get_alloc", ctypes.c_int, _P, ctypes.c_uint64, ctypes.POINTER(_Alloc))
_node_get_alloc_ids = _declare("ncg_node_get_alloc_ids", ctypes.c_int, _P, ctypes.POINTER(ctypes.c_uint64),
                               ctypes.c_size_t)
_node_get_core_groups = _declare("ncg_node_get_core_groups", ctypes.c_int, _P, ctypes.c_uint64,
                                 ctypes.POINTER(_CoreGroup), ctypes.c_size_t)
_node_get_env = _declare("ncg_node_get_env", ctypes.c_int, _P, ctypes.c_uint64, ctypes.c_int, ctypes.POINTER(_Env))
_node_get_status = _declare("ncg_node_get_status", ctypes.c_int, _P, ctypes.POINTER(_NodeStatus))


# ------------------------------------------------------------------------------------------------------------
# Quantities and Cortex's rules.

def version():
    return _version().decode()


def strerror(code):
    return _strerror(code).decode()


def parse_cpu(text):
    """Kubernetes CPU quantity to milli-CPU."""
    v = ctypes.c_int64()
    _parse_cpu(text.encode(), ctypes.byref(v))
    return v.value


def parse_memory(text):
    """Kubernetes memory quantity to bytes."""
    v = ctypes.c_int64()
    _parse_memory(text.encode(), ctypes.byref(v))
    return v.value


def format_cpu(milli):
    """Milli-CPU in canonical Kubernetes notation ("2", "2500m")."""
    return _text(lambda buf, size: _format_cpu(milli, buf, size))


def format_memory(nbytes):
    """Bytes in canonical Kubernetes notation ("4Gi", "4G", "1023")."""
    return _text(lambda buf, size: _format_memory(nbytes, buf, size))


NONE, INFERENTIA, TRAINIUM, GPU = 0, 1, 2, 3


def ppr_check(chips, ppr, cores_per_chip=4, accelerator=INFERENTIA):
    """The NCG size, or NcgError with Cortex's message."""
    return _ppr_check(accelerator, cores_per_chip, chips, ppr)


def ppr_values(total_cores):
    """The acceptable processes_per_replica for that many NeuronCores, ascending."""
    return _array(ctypes.c_int64, lambda out, size: _ppr_values(total_cores, out, size))


def _quantity(value, parse, what):
    if not isinstance(value, str):
        raise TypeError("%s must be a Kubernetes quantity string, not %r" % (what, value))
    return parse(value)


def _request(inf=0, ppr=1, cpu=None, memory=None, neuroncores=0, gpu=0, hugepages=None, models=()):
    """An ncg_request (Cortex's defaults from ncg_request_init()). cpu, memory and hugepages are quantity strings.
    models: dicts with name, bytes (int or quantity string), compiled_cores and static_weights (all optional but
    bytes)."""
    r = _Request()
    _request_init(ctypes.byref(r))
    r.size = ctypes.sizeof(_Request)
    r.inf, r.ppr, r.neuroncores, r.gpu = inf, ppr, neuroncores, gpu
    if cpu is not None:
        r.cpu_milli = _quantity(cpu, parse_cpu, "cpu")
    if memory is not None:
        r.memory_bytes = _quantity(memory, parse_memory, "memory")
    if hugepages is not None:
        r.hugepages_bytes = _quantity(hugepages, parse_memory, "hugepages")
    models = list(models)
    if models:
        arr = (_Model * len(models))()
        for m, spec in zip(arr, models):
            m.size = ctypes.sizeof(_Model)
            name = spec.get("name")
            m.name = name.encode() if name is not None else None
            b = spec["bytes"]
            m.bytes = parse_memory(b) if isinstance(b, str) else b
            m.compiled_cores = spec.get("compiled_cores", 0)
            m.static_weights = 1 if spec.get("static_weights") else 0
        r.models = arr  # ctypes keeps arr (and the names) alive with r
        r.model_count = len(models)
    return r


# ------------------------------------------------------------------------------------------------------------
# Handles.

class Catalog:
    """A catalog of instance types: the built-in one, or an empty one (empty=True)."""

    def __init__(self, empty=False):
        self._h = None
        self._h = _catalog_new(1 if empty else 0)  # NCG_CATALOG_EMPTY

    @staticmethod
    def _type_dict(t):
        d = _struct_dict(t)
        d["name"] = t.name.decode()
        d["family"] = t.family.decode() if t.family else None
        d["accelerator"] = (_accel_name(t.accelerator) or b"").decode()
        d["topology"] = (_topology_name(t.topology) or b"").decode()
        d["usd_per_hour"] = t.usd_per_hour if t.has_price else None
        del d["has_price"]
        return d

    def types(self):
        """Every type, in catalog order, as dicts."""
        out = []
        for i in range(_catalog_type_count(self._h)):
            t = _sized(_Type)
            _catalog_get_type(self._h, i, ctypes.byref(t))
            out.append(self._type_dict(t))
        return out

    def find(self, type_name):
        """One type as a dict, or NcgError (NCG_E_UNKNOWN_TYPE)."""
        t = _sized(_Type)
        _catalog_find_type(self._h, type_name.encode(), ctypes.byref(t))
        return self._type_dict(t)

    def usable(self, type_name):
        """(milli-CPU, memory bytes) a replica may use on an empty node of the type."""
        cpu, mem = ctypes.c_int64(), ctypes.c_int64()
        _catalog_get_usable(self._h, type_name.encode(), ctypes.byref(cpu), ctypes.byref(mem))
        return cpu.value, mem.value

    def check(self, type_name=None, **request):
        """The NCG size of a valid request (0 for CPU only), or NcgError with Cortex's message."""
        r = _request(**request)
        return _request_check(self._h, type_name.encode() if type_name else None, ctypes.byref(r))

    def advice(self, type_name, **request):
        """(findings, text): advice about a valid request on a type, one finding per line."""
        r = _request(**request)
        findings = ctypes.c_int()
        text = _text(lambda buf, size: _request_advice(self._h, type_name.encode(), ctypes.byref(r), buf, size,
                                                       ctypes.byref(findings)))
        return findings.value, text

    def layout(self, type_name, **request):
        """The NCGs of one replica on a type, relative to the replica, as dicts."""
        r = _request(**request)
        groups = _array(_CoreGroup, lambda out, size: _request_layout(self._h, type_name.encode(), ctypes.byref(r),
                                                                      out, size))
        return [_struct_dict(g) for g in groups]

    def close(self):
        if getattr(self, "_h", None):
            _catalog_free(self._h)
        self._h = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Node:
    """One node of an instance type: allocate, adopt and release replicas; read their NCGs and env. The node copies
    what it needs from the catalog, which may be closed afterwards."""

    def __init__(self, catalog, type_name):
        self._h = None
        self._h = _node_new(catalog._h, type_name.encode(), 0)

    @property
    def type_name(self):
        return _node_get_type_name(self._h).decode()

    def allocate(self, **request):
        """Place one replica; returns (allocation id, env of each process)."""
        r = _request(**request)
        a = _sized(_Alloc)
        _node_allocate(self._h, ctypes.byref(r), ctypes.byref(a))
        return a.id, [self.env(a.id, p) for p in range(a.ppr if a.core_count else 0)]

    def adopt(self, devices=None, cores=(), **request):
        """Record a running replica from its AWS_NEURON_VISIBLE_DEVICES and each process's NEURON_RT_VISIBLE_CORES;
        request keywords (cpu, memory, hugepages, models) describe the rest. Returns the allocation id."""
        cores = list(cores)
        arr = (ctypes.c_char_p * max(len(cores), 1))(*[c.encode() for c in cores])
        r = _request(**request) if request else None
        a = _sized(_Alloc)
        _node_adopt(self._h, ctypes.byref(r) if r is not None else None, devices.encode() if devices else None,
                    arr if cores else None, len(cores), ctypes.byref(a))
        return a.id

    def alloc(self, alloc_id):
        """One allocation as a dict (its id included)."""
        a = _sized(_Alloc)
        _node_get_alloc(self._h, alloc_id, ctypes.byref(a))
        return _struct_dict(a)

    def alloc_ids(self):
        """The allocation ids, ascending."""
        return _array(ctypes.c_uint64, lambda out, size: _node_get_alloc_ids(self._h, out, size))

    def core_groups(self, alloc_id):
        """The NCGs of an allocation, host-global, as dicts."""
        groups = _array(_CoreGroup, lambda out, size: _node_get_core_groups(self._h, alloc_id, out, size))
        return [_struct_dict(g) for g in groups]

    def env(self, alloc_id, process):
        e = _sized(_Env)
        _node_get_env(self._h, alloc_id, process, ctypes.byref(e))
        return {"NEURON_RT_VISIBLE_CORES": e.visible_cores.decode(),
                "NEURONCORE_GROUP_SIZES": e.core_group_sizes.decode(),
                "AWS_NEURON_VISIBLE_DEVICES": e.visible_devices.decode()}

    def status(self):
        """The node's current use as a dict."""
        s = _sized(_NodeStatus)
        _node_get_status(self._h, ctypes.byref(s))
        return _struct_dict(s)

    def release(self, alloc_id):
        _node_release(self._h, alloc_id)

    def close(self):
        if getattr(self, "_h", None):
            _node_free(self._h)
        self._h = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
