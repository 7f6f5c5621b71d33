// Package ncg is the Go binding of libncg: NeuronCore Group partitioning and scheduling for AWS Neuron
// hardware (include/ncg.h). It is built with cgo against the library found by `pkg-config libncg`.
//
// # Errors
//
// Every failure is an *Error carrying the library's code and message. Compare with errors.Is against the
// exported sentinels (ErrInvalid, ErrNotFound, ErrFull, ...): errors.Is(err, ncg.ErrFull) is true for every
// *Error whose Code is CodeFull, whatever its message. A failed call changes nothing, as in C.
//
// # Handles and goroutines
//
// Catalog, Node, Cluster and Plan own a C handle. Close releases it; Close is idempotent, and a finalizer
// releases a handle that was never closed. Using a closed handle returns an *Error with Code CodeInvalid.
//
// Every method of every handle may be called from any number of goroutines at the same time. Each wrapper
// holds a sync.RWMutex: methods that only read the handle (the C functions that take it const) share the read
// lock and run in parallel; methods that change it take the write lock, which gives the C library the one
// thread at a time it requires. Views (NodeView of a cluster's node, ClusterView of a plan's cluster) lock
// their owner. No Go pointer is ever stored in C memory: inputs that hold pointers are copied into C memory
// for the duration of one call.
//
// Quantities are int64 (milli-CPU, bytes); ParseCPU and ParseMemory accept Kubernetes quantity strings
// ("500m", "1.5Gi") and FormatCPU and FormatMemory give them back in canonical form.
package ncg

/*
#cgo pkg-config: libncg
#include <stdlib.h>
#include <ncg.h>
*/
import "C"

import (
	"strings"
	"unsafe"
)

// Code is a status code of the library (ncg_status); failures are negative.
type Code int

// The library's status codes. Their values are part of the ABI and never change.
const (
	CodeInvalid     Code = C.NCG_E_INVALID
	CodeNoMem       Code = C.NCG_E_NOMEM
	CodeParse       Code = C.NCG_E_PARSE
	CodeRange       Code = C.NCG_E_RANGE
	CodeUnknownType Code = C.NCG_E_UNKNOWN_TYPE
	CodeNotFound    Code = C.NCG_E_NOT_FOUND
	CodePPR         Code = C.NCG_E_PPR
	CodeNoFit       Code = C.NCG_E_NO_FIT
	CodeTopology    Code = C.NCG_E_TOPOLOGY
	CodeFull        Code = C.NCG_E_FULL
	CodeOverlap     Code = C.NCG_E_OVERLAP
	CodeModel       Code = C.NCG_E_MODEL
	CodeExists      Code = C.NCG_E_EXISTS
	CodeLNC         Code = C.NCG_E_LNC // the request names a Logical NeuronCore setting the node does not run (2.3)
)

// String is the library's short description of the code (ncg_strerror).
func (c Code) String() string { return C.GoString(C.ncg_strerror(C.int(c))) }

// Error is a failure reported by the library: its code and its one-line message, which names the field and
// value at fault.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same Code, so that errors.Is(err, ncg.ErrFull) matches
// every "full" error whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code
}

func sentinel(c Code) *Error { return &Error{Code: c, Message: c.String()} }

// Sentinels for errors.Is, one per code.
var (
	ErrInvalid     = sentinel(CodeInvalid)
	ErrNoMem       = sentinel(CodeNoMem)
	ErrParse       = sentinel(CodeParse)
	ErrRange       = sentinel(CodeRange)
	ErrUnknownType = sentinel(CodeUnknownType)
	ErrNotFound    = sentinel(CodeNotFound)
	ErrPPR         = sentinel(CodePPR)
	ErrNoFit       = sentinel(CodeNoFit)
	ErrTopology    = sentinel(CodeTopology)
	ErrFull        = sentinel(CodeFull)
	ErrOverlap     = sentinel(CodeOverlap)
	ErrModel       = sentinel(CodeModel)
	ErrExists      = sentinel(CodeExists)
	ErrLNC         = sentinel(CodeLNC)
)

// cerr converts a failed call's code and ncg_error into an *Error.
func cerr(rc C.int, e *C.ncg_error) error {
	msg := C.GoString(&e.message[0])
	if msg == "" {
		msg = Code(rc).String()
	}
	return &Error{Code: Code(rc), Message: msg}
}

func invalid(format string) error { return &Error{Code: CodeInvalid, Message: format} }

func errClosed(what string) error { return invalid(what + " is closed") }

// Version is the library's version, "MAJOR.MINOR.PATCH" (ncg_version).
func Version() string { return C.GoString(C.ncg_version()) }

// StrError is ncg_strerror: a short description of a code, "unknown error" for codes it does not know.
func StrError(code int) string { return C.GoString(C.ncg_strerror(C.int(code))) }

// arena holds the C memory of one call's inputs; free releases all of it.
type arena struct{ ptrs []unsafe.Pointer }

func (a *arena) calloc(n, size C.size_t) unsafe.Pointer {
	if n == 0 {
		n = 1
	}
	p := C.calloc(n, size)
	if p == nil {
		panic("ncg: out of memory")
	}
	a.ptrs = append(a.ptrs, p)
	return p
}

// str copies s into C memory; a string holding a NUL byte cannot be passed to C and is refused.
func (a *arena) str(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, invalid(what + " contains a NUL byte")
	}
	p := C.CString(s)
	a.ptrs = append(a.ptrs, unsafe.Pointer(p))
	return p, nil
}

// optStr is str, or NULL for "".
func (a *arena) optStr(what, s string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return a.str(what, s)
}

// strs copies a list of strings into a C array of C strings (NULL for an empty list).
func (a *arena) strs(what string, list []string) (**C.char, error) {
	if len(list) == 0 {
		return nil, nil
	}
	arr := unsafe.Slice((**C.char)(a.calloc(C.size_t(len(list)), C.size_t(unsafe.Sizeof((*C.char)(nil))))), len(list))
	for i, s := range list {
		p, err := a.str(what, s)
		if err != nil {
			return nil, err
		}
		arr[i] = p
	}
	return &arr[0], nil
}

func (a *arena) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
	a.ptrs = nil
}

// fetchString applies the buffer rule: call with no buffer to learn the length, then with a buffer that large.
func fetchString(call func(buf *C.char, size C.size_t, e *C.ncg_error) C.int) (string, error) {
	var e C.ncg_error
	rc := call(nil, 0, &e)
	for {
		if rc < 0 {
			return "", cerr(rc, &e)
		}
		buf := make([]byte, int(rc)+1)
		n := call((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &e)
		if n >= 0 && n < C.int(len(buf)) {
			return string(buf[:n]), nil
		}
		rc = n
	}
}

// ParseCPU parses a Kubernetes CPU quantity ("1", "1.5", "500m") into milli-CPU (ncg_parse_cpu).
func ParseCPU(text string) (int64, error) {
	var a arena
	defer a.free()
	s, err := a.str("CPU quantity", text)
	if err != nil {
		return 0, err
	}
	var out C.int64_t
	var e C.ncg_error
	if rc := C.ncg_parse_cpu(s, &out, &e); rc < 0 {
		return 0, cerr(rc, &e)
	}
	return int64(out), nil
}

// ParseMemory parses a Kubernetes memory quantity ("1073741824", "4Gi", "1.5G") into bytes (ncg_parse_memory).
func ParseMemory(text string) (int64, error) {
	var a arena
	defer a.free()
	s, err := a.str("memory quantity", text)
	if err != nil {
		return 0, err
	}
	var out C.int64_t
	var e C.ncg_error
	if rc := C.ncg_parse_memory(s, &out, &e); rc < 0 {
		return 0, cerr(rc, &e)
	}
	return int64(out), nil
}

// FormatCPU formats milli-CPU canonically: "2" when whole, else "2500m" (ncg_format_cpu).
func FormatCPU(milli int64) (string, error) {
	return fetchString(func(buf *C.char, size C.size_t, e *C.ncg_error) C.int {
		return C.ncg_format_cpu(C.int64_t(milli), buf, size, e)
	})
}

// FormatMemory formats bytes in their shortest exact form: "4G", "6992Mi", "1023" (ncg_format_memory).
func FormatMemory(bytes int64) (string, error) {
	return fetchString(func(buf *C.char, size C.size_t, e *C.ncg_error) C.int {
		return C.ncg_format_memory(C.int64_t(bytes), buf, size, e)
	})
}

// ParseVisibleCores parses NEURON_RT_VISIBLE_CORES ("3-6", "3,4,5,6"); limit is the node's core count
// (<= 0: no bound) (ncg_parse_visible_cores).
func ParseVisibleCores(text string, limit int) (first, count int, err error) {
	return parseIDs(text, limit, true)
}

// ParseVisibleDevices parses AWS_NEURON_VISIBLE_DEVICES ("2,3" or "2-3") (ncg_parse_visible_devices).
func ParseVisibleDevices(text string, limit int) (first, count int, err error) {
	return parseIDs(text, limit, false)
}

func parseIDs(text string, limit int, cores bool) (int, int, error) {
	var a arena
	defer a.free()
	s, err := a.str("id list", text)
	if err != nil {
		return 0, 0, err
	}
	var first, count C.int
	var e C.ncg_error
	var rc C.int
	if cores {
		rc = C.ncg_parse_visible_cores(s, C.int(limit), &first, &count, &e)
	} else {
		rc = C.ncg_parse_visible_devices(s, C.int(limit), &first, &count, &e)
	}
	if rc < 0 {
		return 0, 0, cerr(rc, &e)
	}
	return int(first), int(count), nil
}

// ParseCoreGroupSizes parses NEURONCORE_GROUP_SIZES: "4" or "2,4,6,4" (ncg_parse_core_group_sizes).
func ParseCoreGroupSizes(text string) ([]int, error) {
	var a arena
	defer a.free()
	s, err := a.str("NEURONCORE_GROUP_SIZES", text)
	if err != nil {
		return nil, err
	}
	var e C.ncg_error
	n := C.ncg_parse_core_group_sizes(s, nil, 0, &e)
	for {
		if n < 0 {
			return nil, cerr(n, &e)
		}
		buf := make([]C.int, int(n)+1)
		m := C.ncg_parse_core_group_sizes(s, &buf[0], C.size_t(len(buf)), &e)
		if m >= 0 && m <= C.int(len(buf)) {
			out := make([]int, m)
			for i := range out {
				out[i] = int(buf[i])
			}
			return out, nil
		}
		n = m
	}
}

// FormatIDs formats a contiguous id range: "a-b" (or "a") when ranged, else "a,a+1,..." (ncg_format_ids).
func FormatIDs(first, count int, ranged bool) (string, error) {
	return fetchString(func(buf *C.char, size C.size_t, e *C.ncg_error) C.int {
		return C.ncg_format_ids(C.int(first), C.int(count), cbool(ranged), buf, size, e)
	})
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
