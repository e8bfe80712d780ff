package manifests_test

import (
	"testing"
)

// TestKubernetesManifests strictly decodes every manifest into the
// Kubernetes API types (unknown fields fail), renders the production overlay
// with kustomize and checks the rendered objects (see checkKubernetes).
func TestKubernetesManifests(t *testing.T) {
	tr := newTree(t)
	objs, errs := checkKubernetes(tr)
	report(t, "kubernetes", errs)
	if objs != nil {
		t.Logf("rendered overlay: %d Deployments, %d StatefulSets, %d Services, %d PodDisruptionBudgets, %d ConfigMaps, %d Secrets",
			len(objs.deployments), len(objs.statefulsets), len(objs.services), len(objs.pdbs), len(objs.configMaps), len(objs.secrets))
	}
}

// TestCompose loads the compose file with compose-go and checks it the same
// way (see checkCompose).
func TestCompose(t *testing.T) {
	report(t, "compose", checkCompose(t.Context(), newTree(t)))
}

// TestDockerfile checks the image's layers, user and data (see
// checkDockerfile) and its build context (checkBuildContext).
func TestDockerfile(t *testing.T) {
	report(t, "Dockerfile", checkDockerfile(deployDir))
	report(t, "build context", checkBuildContext(deployDir))
}
