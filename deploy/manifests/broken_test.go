package manifests_test

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestChecksFailOnBrokenCopies breaks a copy of deploy/ in one way at a time
// (the mistakes issue 16 found, and others) and requires the checks to report
// exactly that: a check that passes whatever the manifests say checks nothing.
func TestChecksFailOnBrokenCopies(t *testing.T) {
	type mutation struct{ file, old, new string }
	for _, tc := range []struct {
		name    string
		breaks  []mutation
		check   string // k8s, compose or docker
		wantErr string // a fragment of the error it must report
	}{
		{"tender dials itself for the member service", []mutation{{"k8s/tender.yaml", `{name: CONSORTIA_MEMBER_URL, value: "member:7101"}`, `{name: CONSORTIA_MEMBER_URL, value: "tender:7102"}`}},
			"k8s", `CONSORTIA_MEMBER_URL="tender:7102" reaches the tender service, not member`},
		{"a peer address nothing serves", []mutation{{"k8s/gateway.yaml", `value: "notification:7104"`, `value: "notifications:7104"`}},
			"k8s", `reaches nothing`},
		{"the old variable names", []mutation{{"k8s/member.yaml", `{name: CONSORTIA_MEMBER_LISTEN_ADDR, value: ":7101"}`, `{name: CONSORTIA_MEMBER_ADDR, value: ":7101"}`}},
			"k8s", `CONSORTIA_MEMBER_ADDR: unknown variable`},
		{"no startupProbe", []mutation{{"k8s/member.yaml", `          startupProbe: {grpc: {port: 7101}, periodSeconds: 5, failureThreshold: 120}` + "\n", ``}},
			"k8s", `needs a startupProbe`},
		{"a startupProbe too short for a read-model rebuild", []mutation{{"k8s/member.yaml", `periodSeconds: 5, failureThreshold: 120}`, `periodSeconds: 5, failureThreshold: 8}`}},
			"k8s", `to rebuild the read models`},
		{"a probe on the wrong port", []mutation{{"k8s/tender.yaml", `readinessProbe: {grpc: {port: 7102}`, `readinessProbe: {grpc: {port: 7101}`}},
			"k8s", `readinessProbe must be gRPC health on the listen port 7102`},
		{"no resources", []mutation{{"k8s/commission.yaml", "            requests: {cpu: 100m, memory: 256Mi}\n", ""}},
			"k8s", `needs resources`},
		{"runs as root", []mutation{{"k8s/gateway.yaml", `runAsNonRoot: true, runAsUser: 65532`, `runAsNonRoot: false, runAsUser: 0`}},
			"k8s", `runAsNonRoot: true`},
		{"writable root file system", []mutation{{"k8s/nats.yaml", `readOnlyRootFilesystem: true`, `readOnlyRootFilesystem: false`}},
			"k8s", `readOnlyRootFilesystem: true`},
		{"an unknown field", []mutation{{"k8s/member.yaml", `readinessProbe: {grpc:`, `readinesProbe: {grpc:`}},
			"k8s", `unknown field "spec.template.spec.containers[0].readinesProbe"`},
		{"a ConfigMap nobody provides", []mutation{{"k8s/member.yaml", `configMapKeyRef: {name: consortia-auth, key: jwks_url}`, `configMapKeyRef: {name: consortia-authz, key: jwks_url}`}},
			"k8s", `ConfigMap consortia-authz does not exist and is not generated`},
		{"a key the ConfigMap lacks", []mutation{{"overlays/production/auth.env", "jwks_url=", "jwks=url="}},
			"k8s", `has no key jwks_url`},
		{"no PodDisruptionBudget", []mutation{{"k8s/tender.yaml", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: consortia-tender}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: consortia-tender}}\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated}\n"}},
			"k8s", `0 PodDisruptionBudgets select its pods`},
		{"a service as another's NATS user", []mutation{{"k8s/tender.yaml", `{name: CONSORTIA_NATS_CREDS, value: "/etc/nats/tender.nk"}`, `{name: CONSORTIA_NATS_CREDS, value: "/etc/nats/member.nk"}`}, {"k8s/tender.yaml", `secretName: consortia-tender-nats`, `secretName: consortia-member-nats`}},
			"k8s", `not the service's own user`},
		{"streams R1", []mutation{{"k8s/member.yaml", `{name: CONSORTIA_STREAM_REPLICAS, value: "3"}`, `{name: CONSORTIA_STREAM_REPLICAS, value: "1"}`}},
			"k8s", `CONSORTIA_STREAM_REPLICAS="1", want 3`},
		{"no data folder", []mutation{{"k8s/notification.yaml", `{name: CONSORTIA_DATA_DIR, value: "/usr/share/consortia/data"}`, `{name: CONSORTIA_DATA_DIR, value: "/data"}`}},
			"k8s", `CONSORTIA_DATA_DIR="/data"`},
		{"a standalone MongoDB", []mutation{{"k8s/../" + k8sSecrets + "/mongodb.env", "replicaSet=rs0&", ""}},
			"k8s", `not a replica set's URI`},
		{"NATS routes to pods that do not exist", []mutation{{"k8s/nats.yaml", "serviceName: nats-headless", "serviceName: nats-routes"}},
			"k8s", `configuration routes`},
		{"an older NATS than the tests", []mutation{{"k8s/nats.yaml", "image: nats:2.15.2-alpine", "image: nats:2.12-alpine"}},
			"k8s", `want nats:2.15.2`},
		{"a missing service", []mutation{{"k8s/kustomization.yaml", "  - commission.yaml\n", ""}},
			"k8s", `the commission service (services/commission/cmd/commission) is not deployed`},

		{"compose: the NATS version of issue 16", []mutation{{"compose.yaml", "image: nats:2.15.2-alpine", "image: nats:2.12-alpine"}},
			"compose", `want nats:2.15.2`},
		{"compose: no healthcheck", []mutation{{"compose.yaml", `    healthcheck: {test: ["CMD", "/consortia", "health", "grpc", "127.0.0.1:7103"], interval: 5s, start_period: 10m}` + "\n", ""}},
			"compose", `compose service commission: no healthcheck`},
		{"compose: NATS without the generated configuration", []mutation{{"compose.yaml", `command: ["-c", "/etc/nats/nats-server.conf"]`, `command: ["-js", "-sd", "/data"]`}},
			"compose", `no -c CONFIG argument`},
		{"compose: another service's NATS user", []mutation{{"compose.yaml", `tender-nkey: {file: ./secrets/tender.nk}`, `tender-nkey: {file: ./secrets/member.nk}`}},
			"compose", `not the service's own user`},
		{"compose: not waiting for NATS", []mutation{{"compose.yaml", "    nats-2: {condition: service_healthy}\n", "    nats-2: {condition: service_started}\n"}},
			"compose", `must depend on nats-2 being healthy`},
		{"compose: as root", []mutation{{"compose.yaml", `user: "65532:65532"`, `user: "0:0"`}},
			"compose", `run as a non-root user`},
		{"compose: peer typo", []mutation{{"compose.yaml", "CONSORTIA_MEMBER_URL: member:7101\n    secrets", "CONSORTIA_MEMBER_URL: member:7102\n    secrets"}},
			"compose", `CONSORTIA_MEMBER_URL="member:7102" reaches nothing`},

		{"Dockerfile: static as root", []mutation{{"Dockerfile", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM gcr.io/distroless/static-debian12"}},
			"docker", `distroless :nonroot`},
		{"Dockerfile: sources before the download", []mutation{{"Dockerfile", "COPY services/platform/go.mod services/platform/go.sum services/platform/", "COPY services services"}},
			"docker", `copied before ` + "`go mod download`"},
		{"Dockerfile: no code lists", []mutation{{"Dockerfile", "COPY --from=data cpv /usr/share/consortia/data/cpv\n", ""}},
			"docker", `does not carry cpv/cpvCodes.json`},
		{"dockerignore: local state in the context", []mutation{{"Dockerfile.dockerignore", "**/.data/**\n", ""}},
			"docker", `services/consortia/.data/nats would be in the build context`},
		{"dockerignore: sources left out", []mutation{{"Dockerfile.dockerignore", "**/testdata/**\n", "**/templates/**\n"}},
			"docker", `leaves out services/gateway/web/templates`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTree(t)
			for _, m := range tc.breaks {
				tr.replace(t, m.file, m.old, m.new)
			}
			var errs []error
			switch tc.check {
			case "k8s":
				_, errs = checkKubernetes(tr)
			case "compose":
				errs = checkCompose(t.Context(), tr)
			case "docker":
				errs = append(checkDockerfile(tr.dir), checkBuildContextOf(tr.dir)...)
			}
			err := errors.Join(errs...)
			if err == nil {
				t.Fatalf("the broken copy passes every check; want an error with %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("errors do not mention %q:\n%v", tc.wantErr, err)
			}
		})
	}
}

// checkBuildContextOf checks a copy's ignore file against the repository.
func checkBuildContextOf(dir string) []error {
	if _, err := os.Stat(dir); err != nil {
		return []error{err}
	}
	return checkBuildContext(dir)
}
