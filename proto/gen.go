// Package proto holds the plugin protocol's .proto files and generated Go.
//
// Regenerate with `go generate ./proto/`. The Go generators are pinned as
// tool dependencies in go.mod; protoc comes from Debian's protobuf-compiler.
package proto

//go:generate go build -o ../bin/tools/ google.golang.org/protobuf/cmd/protoc-gen-go google.golang.org/grpc/cmd/protoc-gen-go-grpc
//go:generate protoc --plugin=protoc-gen-go=../bin/tools/protoc-gen-go --plugin=protoc-gen-go-grpc=../bin/tools/protoc-gen-go-grpc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative pluginv1/plugin.proto
