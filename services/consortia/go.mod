module github.com/consortia-dev/consortia/services/consortia

go 1.26
