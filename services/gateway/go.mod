module github.com/consortia-dev/consortia/services/gateway

go 1.26

// Local modules resolve from this repository (go.work ties them for builds;
// the replace lines let `go mod tidy` work module by module).
replace (
	github.com/consortia-dev/consortia/proto/gen/go => ../../proto/gen/go
	github.com/consortia-dev/consortia/services/platform => ../platform
)
