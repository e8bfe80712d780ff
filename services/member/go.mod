module github.com/consortia-dev/consortia/services/member

go 1.26
