module github.com/consortia-dev/consortia/services/tender

go 1.26
