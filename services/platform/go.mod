module github.com/consortia-dev/consortia/services/platform

go 1.26
