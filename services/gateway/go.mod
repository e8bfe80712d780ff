module github.com/consortia-dev/consortia/services/gateway

go 1.26
