module github.com/consortia-dev/consortia/proto/gen/go

go 1.26
