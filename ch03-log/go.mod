module github.com/proglog-workshop/proglog/ch03-log

go 1.26.0

require (
	github.com/tysonmote/gommap v0.0.2
	google.golang.org/protobuf v1.36.12
)

tool google.golang.org/protobuf/cmd/protoc-gen-go
