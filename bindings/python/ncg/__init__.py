"""Python bindings for libncg (ctypes). Thin: every rule lives in the C library; this module converts types, owns
handles and raises errors. The library is found via $NCG_LIBRARY, else the system's libncg.so.1."""
import ctypes
import os

_lib = ctypes.CDLL(os.environ.get("NCG_LIBRARY") or "libncg.so.1")


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 512)]


class _Type(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("family", ctypes.c_char_p), ("accelerator", ctypes.c_int),
                ("chips", ctypes.c_int), ("cores_per_chip", ctypes.c_int), ("physical_cores_per_chip", ctypes.c_int),
                ("device_memory_bytes", ctypes.c_int64), ("gpus", ctypes.c_int), ("cpu_milli", ctypes.c_int64),
                ("memory_bytes", ctypes.c_int64), ("hugepages_bytes", ctypes.c_int64), ("topology", ctypes.c_int),
                ("has_price", ctypes.c_int), ("usd_per_hour", ctypes.c_double)]


class _Model(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("bytes", ctypes.c_int64), ("compiled_cores", ctypes.c_int),
                ("static_weights", ctypes.c_int)]


class _Request(ctypes.Structure):
    _fields_ = [("inf", ctypes.c_int64), ("neuroncores", ctypes.c_int64), ("ppr", ctypes.c_int64),
                ("cpu_milli", ctypes.c_int64), ("memory_bytes", ctypes.c_int64), ("gpu", ctypes.c_int64),
                ("hugepages_bytes", ctypes.c_int64), ("models", ctypes.POINTER(_Model)),
                ("model_count", ctypes.c_size_t)]


class _Alloc(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("whole_chips", ctypes.c_int), ("first_chip", ctypes.c_int),
                ("chip_count", ctypes.c_int), ("first_core", ctypes.c_int), ("core_count", ctypes.c_int),
                ("ppr", ctypes.c_int), ("ncg_size", ctypes.c_int), ("cpu_milli", ctypes.c_int64),
                ("memory_bytes", ctypes.c_int64), ("hugepages_bytes", ctypes.c_int64)]


class _Env(ctypes.Structure):
    _fields_ = [("visible_cores", ctypes.c_char * 320), ("group_sizes", ctypes.c_char * 320),
                ("visible_devices", ctypes.c_char * 320)]


class NcgError(Exception):
    """A failed libncg call: .code is the negative ncg_status, str() the library's message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _check(result, func, args):
    err = getattr(args[-1], "_obj", args[-1])  # the _Error behind ctypes.byref()
    if isinstance(result, int) and result < 0:
        raise NcgError(err.code, err.message.decode())
    if result is None and func.restype is ctypes.c_void_p:
        raise NcgError(err.code, err.message.decode())
    return result


def _declare(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype, f.argtypes = restype, list(argtypes)
    if argtypes and argtypes[-1] is ctypes.POINTER(_Error):
        f.errcheck = _check
    return f


_E = ctypes.POINTER(_Error)
_P = ctypes.c_void_p
_version = _declare("ncg_version", ctypes.c_char_p)
_parse_cpu = _declare("ncg_parse_cpu", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64), _E)
_parse_memory = _declare("ncg_parse_memory", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64), _E)
_ppr_check = _declare("ncg_ppr_check", ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64, _E)
_catalog_new = _declare("ncg_catalog_new", _P, _E)
_catalog_free = _declare("ncg_catalog_free", _P, _P)
_catalog_count = _declare("ncg_catalog_count", ctypes.c_int, _P)
_catalog_type_at = _declare("ncg_catalog_type_at", ctypes.c_int, _P, ctypes.c_int, ctypes.POINTER(_Type), _E)
_request_init = _declare("ncg_request_init", None, ctypes.POINTER(_Request))
_request_check = _declare("ncg_request_check", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_Request), _E)
_node_new = _declare("ncg_node_new", _P, _P, ctypes.c_char_p, _E)
_node_free = _declare("ncg_node_free", _P, _P)
_node_allocate = _declare("ncg_node_allocate", ctypes.c_int, _P, ctypes.POINTER(_Request), ctypes.POINTER(_Alloc), _E)
_node_release = _declare("ncg_node_release", ctypes.c_int, _P, ctypes.c_uint32, _E)
_node_env = _declare("ncg_node_env", ctypes.c_int, _P, ctypes.c_uint32, ctypes.c_int, ctypes.POINTER(_Env), _E)
_node_adopt = _declare("ncg_node_adopt", ctypes.c_int, _P, ctypes.POINTER(_Request), ctypes.c_char_p,
                       ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.POINTER(_Alloc), _E)


def version():
    return _version().decode()


def parse_cpu(text):
    """Kubernetes CPU quantity to milli-CPU."""
    v = ctypes.c_int64()
    _parse_cpu(text.encode(), ctypes.byref(v), ctypes.byref(_Error()))
    return v.value


def parse_memory(text):
    """Kubernetes memory quantity to bytes."""
    v = ctypes.c_int64()
    _parse_memory(text.encode(), ctypes.byref(v), ctypes.byref(_Error()))
    return v.value


INFERENTIA, TRAINIUM = 1, 2


def ppr_check(chips, ppr, cores_per_chip=4, accelerator=INFERENTIA):
    """The NCG size, or NcgError with Cortex's message."""
    return _ppr_check(accelerator, cores_per_chip, chips, ppr, ctypes.byref(_Error()))


def _request(inf=0, ppr=1, cpu=None, memory=None, neuroncores=0):
    r = _Request()
    _request_init(ctypes.byref(r))
    r.inf, r.ppr, r.neuroncores = inf, ppr, neuroncores
    if cpu is not None:
        r.cpu_milli = parse_cpu(cpu)
    if memory is not None:
        r.memory_bytes = parse_memory(memory)
    return r


class Catalog:
    """The built-in catalog of instance types."""

    def __init__(self):
        self._h = _catalog_new(ctypes.byref(_Error()))

    def types(self):
        out = []
        for i in range(_catalog_count(self._h)):
            t = _Type()
            _catalog_type_at(self._h, i, ctypes.byref(t), ctypes.byref(_Error()))
            out.append({"name": t.name.decode(), "chips": t.chips, "cores_per_chip": t.cores_per_chip,
                        "device_memory_bytes": t.device_memory_bytes,
                        "usd_per_hour": t.usd_per_hour if t.has_price else None})
        return out

    def check(self, type_name=None, **request):
        """The NCG size of a valid request, or NcgError with Cortex's message."""
        r = _request(**request)
        return _request_check(self._h, type_name.encode() if type_name else None, ctypes.byref(r),
                              ctypes.byref(_Error()))

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
    """One node of an instance type: allocate, adopt and release replicas; read their env."""

    def __init__(self, catalog, type_name):
        self._catalog = catalog  # keeps the catalog alive as long as the node
        self._h = _node_new(catalog._h, type_name.encode(), ctypes.byref(_Error()))

    def allocate(self, **request):
        """Place one replica; returns (allocation id, env of each process)."""
        r = _request(**request)
        a = _Alloc()
        aid = _node_allocate(self._h, ctypes.byref(r), ctypes.byref(a), ctypes.byref(_Error()))
        return aid, [self.env(aid, p) for p in range(a.ppr if a.core_count else 0)]

    def adopt(self, devices=None, cores=()):
        arr = (ctypes.c_char_p * max(len(cores), 1))(*[c.encode() for c in cores])
        return _node_adopt(self._h, None, devices.encode() if devices else None, arr, len(cores), None,
                           ctypes.byref(_Error()))

    def env(self, alloc_id, process):
        e = _Env()
        _node_env(self._h, alloc_id, process, ctypes.byref(e), ctypes.byref(_Error()))
        return {"NEURON_RT_VISIBLE_CORES": e.visible_cores.decode(), "NEURONCORE_GROUP_SIZES": e.group_sizes.decode(),
                "AWS_NEURON_VISIBLE_DEVICES": e.visible_devices.decode()}

    def release(self, alloc_id):
        _node_release(self._h, alloc_id, ctypes.byref(_Error()))

    def close(self):
        if getattr(self, "_h", None):
            _node_free(self._h)
            self._h = None

    __del__ = close
