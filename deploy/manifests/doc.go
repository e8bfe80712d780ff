// Package manifests holds the tests of the deployment manifests (deploy/k8s,
// deploy/overlays, deploy/compose.yaml, deploy/Dockerfile). It is a module of
// its own so that the Kubernetes, kustomize and compose libraries the tests
// use never become dependencies of the product's modules.
package manifests
