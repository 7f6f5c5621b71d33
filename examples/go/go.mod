module github.com/libncg/libncg/examples/go

go 1.22

require github.com/libncg/libncg/bindings/go v0.0.0

// The binding of this source tree; a program of one's own requires a released version instead.
replace github.com/libncg/libncg/bindings/go => ../../bindings/go
