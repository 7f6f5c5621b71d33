module github.com/libncg/libncg/bindings/go

go 1.22
