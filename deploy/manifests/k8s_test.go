package manifests_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/consortia-dev/consortia/services/platform/natsauth"
)

// objects is a set of decoded Kubernetes objects.
type objects struct {
	deployments  []*appsv1.Deployment
	statefulsets []*appsv1.StatefulSet
	services     []*corev1.Service
	configMaps   map[string]*corev1.ConfigMap
	secrets      map[string]*corev1.Secret
	pdbs         []*policyv1.PodDisruptionBudget
}

var decoder = func() runtime.Decoder {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme, policyv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	// Strict: an unknown or duplicate field is an error, not ignored.
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
}()

// decodeAll strictly decodes every document of a multi-document YAML stream.
func decodeAll(name string, data []byte, into *objects) []error {
	var errs []error
	r := utilyaml.NewYAMLReader(bufioReader(data))
	for i := 1; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(errs, fmt.Errorf("%s: %w", name, err))
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s, document %d: %w", name, i, err))
			continue
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			into.deployments = append(into.deployments, o)
		case *appsv1.StatefulSet:
			into.statefulsets = append(into.statefulsets, o)
		case *corev1.Service:
			into.services = append(into.services, o)
		case *corev1.ConfigMap:
			into.configMaps[o.Name] = o
		case *corev1.Secret:
			into.secrets[o.Name] = o
		case *policyv1.PodDisruptionBudget:
			into.pdbs = append(into.pdbs, o)
		default:
			errs = append(errs, fmt.Errorf("%s, document %d: unexpected kind %s", name, i, gvk.Kind))
		}
	}
	return errs
}

func newObjects() *objects {
	return &objects{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
}

// renderOverlay builds the production overlay with kustomize.
func renderOverlay(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(dir, "overlays", "production"))
	if err != nil {
		return nil, fmt.Errorf("kustomize build overlays/production: %w", err)
	}
	return res.AsYaml()
}

// checkKubernetes strictly decodes every manifest of the base, renders the
// production overlay and checks the rendered objects.
func checkKubernetes(tr *tree) (*objects, []error) {
	var errs []error
	base := newObjects()
	files, _ := filepath.Glob(tr.path("k8s/*.yaml"))
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, []error{err}
		}
		errs = append(errs, decodeAll("k8s/"+filepath.Base(f), b, base)...)
	}
	rendered, err := renderOverlay(tr.dir)
	if err != nil {
		return nil, append(errs, err)
	}
	objs := newObjects()
	if errs = append(errs, decodeAll("rendered overlay", rendered, objs)...); len(errs) > 0 {
		return objs, errs
	}
	errs = append(errs, objs.checkWorkloads()...)
	errs = append(errs, objs.checkReferences()...)
	errs = append(errs, objs.checkNATS(tr)...)
	errs = append(errs, objs.checkServices(tr)...)
	return objs, errs
}

// workload is a Deployment or StatefulSet, seen the same way.
type workload struct {
	kind, name string
	replicas   int32
	template   corev1.PodTemplateSpec
}

func (o *objects) workloads() []workload {
	var ws []workload
	for _, d := range o.deployments {
		ws = append(ws, workload{"Deployment", d.Name, ptrOr(d.Spec.Replicas, 1), d.Spec.Template})
	}
	for _, s := range o.statefulsets {
		ws = append(ws, workload{"StatefulSet", s.Name, ptrOr(s.Spec.Replicas, 1), s.Spec.Template})
	}
	return ws
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// checkWorkloads: resources, probes, a non-root security context and a
// PodDisruptionBudget for every workload.
func (o *objects) checkWorkloads() []error {
	var errs []error
	bad := func(w workload, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s %s: %s", w.kind, w.name, fmt.Sprintf(format, args...)))
	}
	for _, w := range o.workloads() {
		pod := w.template.Spec
		sc := pod.SecurityContext
		if sc == nil || !ptrOr(sc.RunAsNonRoot, false) || ptrOr(sc.RunAsUser, 0) == 0 {
			bad(w, "pod securityContext must set runAsNonRoot: true and a non-zero runAsUser")
		}
		if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			bad(w, "pod securityContext must use the RuntimeDefault seccomp profile")
		}
		if ptrOr(pod.AutomountServiceAccountToken, true) {
			bad(w, "automountServiceAccountToken must be false (no workload talks to the Kubernetes API)")
		}
		for _, c := range pod.Containers {
			req, lim := c.Resources.Requests, c.Resources.Limits
			if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Memory().IsZero() {
				bad(w, "container %s needs resources: requests cpu and memory, limits memory", c.Name)
			}
			csc := c.SecurityContext
			if csc == nil || ptrOr(csc.AllowPrivilegeEscalation, true) || !ptrOr(csc.ReadOnlyRootFilesystem, false) ||
				csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") {
				bad(w, "container %s securityContext must set allowPrivilegeEscalation: false, readOnlyRootFilesystem: true and drop ALL capabilities", c.Name)
			}
			if c.StartupProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe == nil {
				bad(w, "container %s needs a startupProbe, a readinessProbe and a livenessProbe", c.Name)
			}
			if strings.HasSuffix(c.Image, ":latest") {
				bad(w, "container %s: image %s is not pinned", c.Name, c.Image)
			}
		}
		if w.replicas < 2 {
			bad(w, "%d replica(s): one node drain would stop it", w.replicas)
		}
		pdbs := 0
		for _, p := range o.pdbs {
			sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
			if err != nil || !sel.Matches(labels.Set(w.template.Labels)) {
				continue
			}
			pdbs++
			if p.Spec.MinAvailable == nil && p.Spec.MaxUnavailable == nil {
				bad(w, "PodDisruptionBudget %s sets neither minAvailable nor maxUnavailable", p.Name)
			}
			if p.Spec.MinAvailable != nil && intOrPercent(p.Spec.MinAvailable, w.replicas) >= int(w.replicas) {
				bad(w, "PodDisruptionBudget %s: minAvailable %s of %d replicas blocks every drain", p.Name, p.Spec.MinAvailable.String(), w.replicas)
			}
		}
		if pdbs != 1 {
			bad(w, "%d PodDisruptionBudgets select its pods, want 1", pdbs)
		}
	}
	return errs
}

func intOrPercent(v *intstr.IntOrString, total int32) int {
	n, _ := intstr.GetScaledValueFromIntOrPercent(v, int(total), true)
	return n
}

// checkReferences: every ConfigMap and Secret a pod uses exists (the overlay
// generates them), with the keys used.
func (o *objects) checkReferences() []error {
	var errs []error
	hasKey := func(kind, name, key string) error {
		switch kind {
		case "ConfigMap":
			cm, ok := o.configMaps[name]
			if !ok {
				return fmt.Errorf("ConfigMap %s does not exist and is not generated", name)
			}
			if _, ok := cm.Data[key]; key != "" && !ok {
				return fmt.Errorf("ConfigMap %s has no key %s", name, key)
			}
		case "Secret":
			s, ok := o.secrets[name]
			if !ok {
				return fmt.Errorf("Secret %s does not exist and is not generated", name)
			}
			_, inData := s.Data[key]
			_, inString := s.StringData[key]
			if key != "" && !inData && !inString {
				return fmt.Errorf("Secret %s has no key %s", name, key)
			}
		}
		return nil
	}
	for _, w := range o.workloads() {
		where := w.kind + " " + w.name
		for _, c := range w.template.Spec.Containers {
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil && !ptrOr(r.Optional, false) {
					if err := hasKey("ConfigMap", r.Name, r.Key); err != nil {
						errs = append(errs, fmt.Errorf("%s: %s: %w", where, e.Name, err))
					}
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil && !ptrOr(r.Optional, false) {
					if err := hasKey("Secret", r.Name, r.Key); err != nil {
						errs = append(errs, fmt.Errorf("%s: %s: %w", where, e.Name, err))
					}
				}
			}
			for _, ef := range c.EnvFrom {
				if r := ef.ConfigMapRef; r != nil && !ptrOr(r.Optional, false) {
					if err := hasKey("ConfigMap", r.Name, ""); err != nil {
						errs = append(errs, fmt.Errorf("%s: envFrom: %w", where, err))
					}
				}
				if r := ef.SecretRef; r != nil && !ptrOr(r.Optional, false) {
					if err := hasKey("Secret", r.Name, ""); err != nil {
						errs = append(errs, fmt.Errorf("%s: envFrom: %w", where, err))
					}
				}
			}
		}
		for _, v := range w.template.Spec.Volumes {
			if s := v.Secret; s != nil && !ptrOr(s.Optional, false) {
				errs = append(errs, wrapAll(where+": volume "+v.Name, hasKey("Secret", s.SecretName, ""))...)
				for _, it := range s.Items {
					errs = append(errs, wrapAll(where+": volume "+v.Name, hasKey("Secret", s.SecretName, it.Key))...)
				}
			}
			if cm := v.ConfigMap; cm != nil && !ptrOr(cm.Optional, false) {
				errs = append(errs, wrapAll(where+": volume "+v.Name, hasKey("ConfigMap", cm.Name, ""))...)
				for _, it := range cm.Items {
					errs = append(errs, wrapAll(where+": volume "+v.Name, hasKey("ConfigMap", cm.Name, it.Key))...)
				}
			}
		}
	}
	return errs
}

func wrapAll(where string, err error) []error {
	if err == nil {
		return nil
	}
	return []error{fmt.Errorf("%s: %w", where, err)}
}

// checkNATS: a 3-node StatefulSet running the generated configuration, whose
// routes name its own pods through its headless Service, the NATS version the
// tests embed, and the client Service the services connect to.
func (o *objects) checkNATS(tr *tree) []error {
	var errs []error
	var sts *appsv1.StatefulSet
	for _, s := range o.statefulsets {
		if s.Name == "nats" {
			sts = s
		}
	}
	if sts == nil {
		return []error{errors.New("no StatefulSet nats")}
	}
	if r := ptrOr(sts.Spec.Replicas, 1); r != 3 {
		errs = append(errs, fmt.Errorf("StatefulSet nats: %d replicas, want 3 (R3 streams)", r))
	}
	if len(sts.Spec.Template.Spec.Containers) != 1 {
		return append(errs, errors.New("StatefulSet nats: want one container"))
	}
	c := sts.Spec.Template.Spec.Containers[0]
	if err := checkNATSImage(c.Image); err != nil {
		errs = append(errs, fmt.Errorf("StatefulSet nats: %w", err))
	}
	headless := o.service(sts.Spec.ServiceName)
	if headless == nil || headless.Spec.ClusterIP != corev1.ClusterIPNone || !headless.Spec.PublishNotReadyAddresses {
		errs = append(errs, fmt.Errorf("StatefulSet nats: serviceName %q must be a headless Service publishing not-ready addresses (routes)", sts.Spec.ServiceName))
	}
	// The configuration file: -c PATH, from a mounted Secret holding it.
	i := slices.Index(c.Args, "-c")
	if i < 0 || i+1 >= len(c.Args) {
		return append(errs, errors.New("StatefulSet nats: no -c CONFIG argument"))
	}
	confPath := c.Args[i+1]
	secret, key := o.mountedSecret(sts.Spec.Template.Spec, c, confPath)
	if secret == nil {
		return append(errs, fmt.Errorf("StatefulSet nats: %s is not mounted from a Secret", confPath))
	}
	conf := secret.Data[key]
	if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
		return e.Name == natsauth.ServerNameVar && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name"
	}) {
		errs = append(errs, fmt.Errorf("StatefulSet nats: %s must be the pod name (fieldRef metadata.name)", natsauth.ServerNameVar))
	}
	opts, err := parseNATSConf(conf, sts.Name+"-0")
	if err != nil {
		return append(errs, fmt.Errorf("StatefulSet nats: %s: %w", confPath, err))
	}
	clusterPort := containerPort(c, "cluster")
	var want []string
	for i := range ptrOr(sts.Spec.Replicas, 1) {
		want = append(want, fmt.Sprintf("%s-%d.%s:%d", sts.Name, i, sts.Spec.ServiceName, clusterPort))
	}
	var got []string
	for _, r := range opts.Routes {
		got = append(got, r.Host)
	}
	if !slices.Equal(got, want) {
		errs = append(errs, fmt.Errorf("StatefulSet nats: configuration routes %v, want the pods %v", got, want))
	}
	if opts.Cluster.Port != clusterPort || opts.Port != containerPort(c, "client") || opts.HTTPPort != containerPort(c, "monitor") {
		errs = append(errs, fmt.Errorf("StatefulSet nats: configuration ports client %d, cluster %d, monitor %d do not match the container ports", opts.Port, opts.Cluster.Port, opts.HTTPPort))
	}
	if !opts.SyncAlways {
		errs = append(errs, errors.New("StatefulSet nats: JetStream must fsync every write (sync_interval: always)"))
	}
	if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.MountPath == opts.StoreDir || strings.HasPrefix(opts.StoreDir, m.MountPath+"/")
	}) ||
		!slices.ContainsFunc(sts.Spec.VolumeClaimTemplates, func(p corev1.PersistentVolumeClaim) bool {
			return slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == p.Name && m.MountPath == opts.StoreDir })
		}) {
		errs = append(errs, fmt.Errorf("StatefulSet nats: JetStream's store_dir %s is not on a volume claim", opts.StoreDir))
	}
	if p := c.StartupProbe; p == nil || p.HTTPGet == nil || !strings.HasPrefix(p.HTTPGet.Path, "/healthz") {
		errs = append(errs, errors.New("StatefulSet nats: the startupProbe must be the monitor's /healthz"))
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		errs = append(errs, errors.New("StatefulSet nats: the readinessProbe must be the full /healthz (JetStream current), so that a rolling update waits for each server to catch up"))
	}
	if aff := sts.Spec.Template.Spec.Affinity; aff == nil || aff.PodAntiAffinity == nil || len(aff.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) == 0 {
		errs = append(errs, errors.New("StatefulSet nats: required pod anti-affinity on the host, or two servers may share a machine"))
	}
	return errs
}

func checkNATSImage(image string) error {
	_, tag, _ := strings.Cut(image, ":")
	version := strings.TrimSuffix(tag, "-alpine")
	if !strings.HasPrefix(image, "nats:") || version != server.VERSION {
		return fmt.Errorf("image %s: want nats:%s (the nats-server version the tests embed)", image, server.VERSION)
	}
	return nil
}

// parseNATSConf parses a generated server configuration as nats-server does.
func parseNATSConf(conf []byte, serverName string) (*server.Options, error) {
	f, err := os.CreateTemp("", "nats-*.conf")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(conf); err != nil {
		return nil, err
	}
	f.Close()
	os.Setenv(natsauth.ServerNameVar, serverName)
	return server.ProcessConfigFile(f.Name())
}

func containerPort(c corev1.Container, name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return int(p.ContainerPort)
		}
	}
	return -1
}

func (o *objects) service(name string) *corev1.Service {
	for _, s := range o.services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// mountedSecret finds the Secret (and key) a container sees at path.
func (o *objects) mountedSecret(pod corev1.PodSpec, c corev1.Container, path string) (*corev1.Secret, string) {
	for _, m := range c.VolumeMounts {
		rel, err := filepath.Rel(m.MountPath, path)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name != m.Name || v.Secret == nil {
				continue
			}
			key := rel
			for _, it := range v.Secret.Items {
				if it.Path == rel {
					key = it.Key
				}
			}
			if s := o.secrets[v.Secret.SecretName]; s != nil {
				if _, ok := s.Data[key]; ok {
					return s, key
				}
			}
		}
	}
	return nil, ""
}

// checkServices: each Consortia container's configuration parses as its
// binary parses it, its peers' addresses reach them, it connects to the NATS
// Service as its own NATS user, and it has the code lists and the MongoDB
// replica set.
func (o *objects) checkServices(tr *tree) []error {
	var errs []error
	var procs []process
	reach := map[endpoint]string{}
	natsClient := o.service("nats")
	for _, d := range o.deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			p := process{where: "Deployment " + d.Name, role: roleOf(c.Args), env: map[string]string{}}
			if p.role == "" {
				errs = append(errs, fmt.Errorf("%s: container %s runs no `serve <service>`", p.where, c.Name))
				continue
			}
			for _, e := range c.Env {
				v, err := o.envValue(e)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %s: %w", p.where, e.Name, err))
				}
				p.env[e.Name] = v
			}
			procs = append(procs, p)
			listen := p.listenPort()
			named := map[string]string{}
			for _, cp := range c.Ports {
				named[cp.Name] = strconv.Itoa(int(cp.ContainerPort))
			}
			for _, s := range o.services {
				if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
					continue
				}
				for _, sp := range s.Spec.Ports {
					target := sp.TargetPort.String()
					if n, ok := named[target]; ok {
						target = n
					}
					if target == listen {
						reach[endpoint{s.Name, strconv.Itoa(int(sp.Port))}] = p.role
					}
				}
			}
			errs = append(errs, checkProbes(p, c, listen)...)
			errs = append(errs, checkDataDir(p, tr.dir)...)
			if p.role == "gateway" {
				continue
			}
			// NATS: the client Service, as the service's own user.
			u, err := url.Parse(strings.Split(p.env["CONSORTIA_NATS_URL"], ",")[0])
			if err != nil || natsClient == nil || u.Hostname() != natsClient.Name || !slices.ContainsFunc(natsClient.Spec.Ports, func(sp corev1.ServicePort) bool { return strconv.Itoa(int(sp.Port)) == u.Port() }) {
				errs = append(errs, fmt.Errorf("%s: CONSORTIA_NATS_URL=%q does not reach the nats Service", p.where, p.env["CONSORTIA_NATS_URL"]))
			}
			creds := p.env["CONSORTIA_NATS_CREDS"]
			secret, key := o.mountedSecret(d.Spec.Template.Spec, c, creds)
			if secret == nil {
				errs = append(errs, fmt.Errorf("%s: CONSORTIA_NATS_CREDS=%q is not a file of a mounted Secret", p.where, creds))
			} else if err := isUser(secret.Data[key], tr.users["k8s"][p.role]); err != nil {
				errs = append(errs, fmt.Errorf("%s: CONSORTIA_NATS_CREDS=%q (Secret %s): %w", p.where, creds, secret.Name, err))
			}
			if p.env["CONSORTIA_STREAM_REPLICAS"] != "3" {
				errs = append(errs, fmt.Errorf("%s: CONSORTIA_STREAM_REPLICAS=%q, want 3 (R3 on the 3-node cluster)", p.where, p.env["CONSORTIA_STREAM_REPLICAS"]))
			}
			errs = append(errs, checkMongoURI(p)...)
		}
	}
	errs = append(errs, checkPeers(procs, reach)...)
	errs = append(errs, checkComplete("Kubernetes", procs)...)
	return errs
}

// envValue resolves an environment variable as the kubelet would.
func (o *objects) envValue(e corev1.EnvVar) (string, error) {
	switch {
	case e.ValueFrom == nil:
		return e.Value, nil
	case e.ValueFrom.FieldRef != nil:
		return "pod-name-0", nil
	case e.ValueFrom.ConfigMapKeyRef != nil:
		r := e.ValueFrom.ConfigMapKeyRef
		if cm := o.configMaps[r.Name]; cm != nil {
			return cm.Data[r.Key], nil
		}
		return "", fmt.Errorf("ConfigMap %s does not exist", r.Name)
	case e.ValueFrom.SecretKeyRef != nil:
		r := e.ValueFrom.SecretKeyRef
		if s := o.secrets[r.Name]; s != nil {
			return string(s.Data[r.Key]), nil
		}
		return "", fmt.Errorf("Secret %s does not exist", r.Name)
	}
	return "", errors.New("unsupported valueFrom")
}

// checkProbes: services are started, ready and alive on gRPC health at their
// listen port, with time to rebuild their read models; the gateway on
// /healthz.
func checkProbes(p process, c corev1.Container, listen string) []error {
	var errs []error
	for name, pr := range map[string]*corev1.Probe{"startupProbe": c.StartupProbe, "readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		if pr == nil {
			continue // reported by checkWorkloads
		}
		if p.role == "gateway" {
			if pr.HTTPGet == nil || pr.HTTPGet.Path != "/healthz" {
				errs = append(errs, fmt.Errorf("%s: %s must be GET /healthz", p.where, name))
			}
			continue
		}
		if pr.GRPC == nil || strconv.Itoa(int(pr.GRPC.Port)) != listen {
			errs = append(errs, fmt.Errorf("%s: %s must be gRPC health on the listen port %s", p.where, name, listen))
		}
	}
	if pr := c.StartupProbe; pr != nil && p.role != "gateway" {
		if budget := max(pr.PeriodSeconds, 10) * max(pr.FailureThreshold, 3); budget < 300 {
			errs = append(errs, fmt.Errorf("%s: the startupProbe gives %ds to rebuild the read models, want ≥ 300s", p.where, budget))
		}
	}
	return errs
}

// isUser checks that seed is the nkey seed of the user with public key want.
func isUser(seed []byte, want string) error {
	kp, err := nkeys.ParseDecoratedNKey(seed)
	if err != nil {
		return errors.New("not an nkey seed")
	}
	pub, _ := kp.PublicKey()
	if pub != want {
		return fmt.Errorf("the seed of NATS user %s, not the service's own user %s", pub, want)
	}
	return nil
}

// checkMongoURI: read models are kept in a MongoDB replica set (a URI naming
// replicaSet), or in memory when the operator leaves it empty.
func checkMongoURI(p process) []error {
	uri, ok := p.env["CONSORTIA_MONGODB_URI"]
	if !ok {
		return []error{fmt.Errorf("%s: no CONSORTIA_MONGODB_URI (the MongoDB replica set's URI, from a Secret)", p.where)}
	}
	if uri == "" {
		return nil
	}
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || (u.Scheme == "mongodb" && u.Query().Get("replicaSet") == "") {
		return []error{fmt.Errorf("%s: CONSORTIA_MONGODB_URI is not a replica set's URI (mongodb://h1,h2,h3/?replicaSet=…)", p.where)}
	}
	return nil
}
