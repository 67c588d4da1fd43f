package helm

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint/support"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// serveEnvFile lists the environment variables `proglog serve` reads, one
// a line; a test of cmd/proglog keeps it in step with serve's flags.
const serveEnvFile = "testdata/serve-env.txt"

// healthPort and serfPort are the chart's default ports.
const (
	healthPort = 8402
	serfPort   = 8401
)

func TestChartRenders(t *testing.T) {
	for _, replicas := range []int{1, 3} {
		t.Run(fmt.Sprintf("replicas=%d", replicas), func(t *testing.T) {
			m := render(t, map[string]any{"replicas": replicas})
			sts := m.statefulSet
			require.Equal(t, int32(replicas), *sts.Spec.Replicas)
			pod := sts.Spec.Template.Spec
			require.Len(t, pod.Containers, 1)
			c := pod.Containers[0]
			env := envOf(t, c)

			// Each pod knows itself by its name, and pod 0 alone starts a
			// new cluster.
			require.Equal(t, "metadata.name", fieldRefOf(t, c, "POD_NAME"))
			require.Equal(t, "$(POD_NAME)", env["PROGLOG_NODE_NAME"])
			require.Equal(t, sts.Name+"-0", env["PROGLOG_BOOTSTRAP_NODE_NAME"])
			require.NotContains(t, env, "PROGLOG_BOOTSTRAP", "--bootstrap on every pod would start a cluster on each")

			// The pods' names come from the headless Service, which
			// publishes them before the pods are ready.
			headless := m.services[sts.Spec.ServiceName]
			require.NotNil(t, headless, "serviceName %q names no Service of the chart", sts.Spec.ServiceName)
			require.Equal(t, corev1.ClusterIPNone, headless.Spec.ClusterIP)
			require.True(t, headless.Spec.PublishNotReadyAddresses, "a pod must be found by its peers before it is ready")
			podDomain := fmt.Sprintf("%s.%s.svc.cluster.local", headless.Name, namespace)
			require.Equal(t, fmt.Sprintf("$(POD_NAME).%s:%d", podDomain, serfPort), env["PROGLOG_BIND_ADDR"])
			var joinAddrs []string
			for i := range replicas {
				joinAddrs = append(joinAddrs, fmt.Sprintf("%s-%d.%s:%d", sts.Name, i, podDomain, serfPort))
			}
			require.Equal(t, strings.Join(joinAddrs, ","), env["PROGLOG_START_JOIN_ADDRS"])

			// Clients start at the client Service, whose name Raft checks
			// the peers' shared certificate against.
			client := m.services[releaseName]
			require.NotNil(t, client, "no client Service named %q", releaseName)
			require.Equal(t, fmt.Sprintf("%s.%s.svc.cluster.local", client.Name, namespace), env["PROGLOG_PEER_TLS_SERVER_NAME"])
			for _, svc := range m.services {
				require.Equal(t, sts.Spec.Selector.MatchLabels, svc.Spec.Selector, "Service %s must select the pods", svc.Name)
				require.Subset(t, sts.Spec.Template.Labels, svc.Spec.Selector)
			}
			require.Equal(t, "rpc", client.Spec.Ports[0].TargetPort.String())

			requireGRPCProbesOnHealthPort(t, c, env)
			requireFilesMounted(t, pod, c, env)
			requireLockedDown(t, pod, c)

			require.Equal(t, intstr.FromInt32(1), *m.pdb.Spec.MaxUnavailable)
			require.Equal(t, sts.Spec.Selector, m.pdb.Spec.Selector)

			require.NotNil(t, c.Resources.Requests.Cpu())
			require.False(t, c.Resources.Limits.Memory().IsZero(), "a memory limit")
			require.Contains(t, m.notes, client.Name+"."+namespace+".svc.cluster.local:8400")
		})
	}
}

func TestChartAntiAffinity(t *testing.T) {
	soft := render(t, nil).statefulSet.Spec.Template.Spec.Affinity.PodAntiAffinity
	require.Empty(t, soft.RequiredDuringSchedulingIgnoredDuringExecution, "soft by default: pods still schedule on a small cluster")
	require.Len(t, soft.PreferredDuringSchedulingIgnoredDuringExecution, 1)
	require.Equal(t, "kubernetes.io/hostname", soft.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm.TopologyKey)

	sts := render(t, map[string]any{"antiAffinity": "hard"}).statefulSet
	hard := sts.Spec.Template.Spec.Affinity.PodAntiAffinity
	require.Empty(t, hard.PreferredDuringSchedulingIgnoredDuringExecution)
	require.Len(t, hard.RequiredDuringSchedulingIgnoredDuringExecution, 1)
	term := hard.RequiredDuringSchedulingIgnoredDuringExecution[0]
	require.Equal(t, "kubernetes.io/hostname", term.TopologyKey)
	require.Equal(t, sts.Spec.Selector.MatchLabels, term.LabelSelector.MatchLabels, "the term must keep our own pods apart")
}

func TestChartBootstrapCanBeTurnedOff(t *testing.T) {
	c := render(t, map[string]any{"bootstrap": false}).statefulSet.Spec.Template.Spec.Containers[0]
	env := envOf(t, c)
	require.NotContains(t, env, "PROGLOG_BOOTSTRAP_NODE_NAME", "pod 0 on an empty volume must join the running cluster")
	require.NotContains(t, env, "PROGLOG_BOOTSTRAP")
	require.NotEmpty(t, env["PROGLOG_START_JOIN_ADDRS"])
}

func TestChartRefusesBadValues(t *testing.T) {
	for _, tc := range []struct {
		values map[string]any
		want   string
	}{
		{values: map[string]any{"antiAffinity": "sometimes"}, want: `antiAffinity must be "soft" or "hard"`},
		{values: map[string]any{"replicas": 0}, want: "replicas must be at least 1"},
		{values: map[string]any{"tls": map[string]any{"secretName": ""}}, want: "tls.secretName"},
	} {
		chrt := loadChart(t)
		install := action.NewInstall(&action.Configuration{})
		install.DryRun, install.ClientOnly, install.ReleaseName = true, true, releaseName
		install.KubeVersion, _ = chartutil.ParseKubeVersion(kubeVersion)
		_, err := install.Run(chrt, tc.values)
		require.ErrorContains(t, err, tc.want)
	}
}

func TestChartLints(t *testing.T) {
	lint := action.NewLint()
	lint.Strict = true
	lint.Namespace = namespace
	var err error
	lint.KubeVersion, err = chartutil.ParseKubeVersion(kubeVersion)
	require.NoError(t, err)
	for _, values := range []map[string]any{nil, {"replicas": 1}, {"antiAffinity": "hard"}} {
		result := lint.Run([]string{chartDir}, values)
		require.Empty(t, result.Errors, "values %v", values)
		for _, msg := range result.Messages {
			require.Less(t, msg.Severity, support.WarningSev, "values %v: %s", values, msg)
		}
	}
}

func TestStrictDecoderRefusesUnknownFields(t *testing.T) {
	// The check the whole file leans on: without Strict this decodes.
	doc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  clusterIp: None\n"
	_, _, err := strictDecoder().Decode([]byte(doc), nil, nil)
	require.ErrorContains(t, err, `unknown field "spec.clusterIp"`)
}

// requireGRPCProbesOnHealthPort checks that every probe is Kubernetes'
// gRPC probe on the plaintext health port, the one port the kubelet can
// reach without a client certificate.
func requireGRPCProbesOnHealthPort(t *testing.T, c corev1.Container, env map[string]string) {
	t.Helper()
	require.Equal(t, fmt.Sprintf(":%d", healthPort), env["PROGLOG_HEALTH_ADDR"])
	require.Contains(t, c.Ports, corev1.ContainerPort{Name: "health", ContainerPort: healthPort})
	for name, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		require.NotNil(t, probe, "no %s probe", name)
		require.NotNil(t, probe.GRPC, "the %s probe is not a gRPC probe", name)
		require.Equal(t, int32(healthPort), probe.GRPC.Port, "%s probe", name)
		require.Nil(t, probe.GRPC.Service, "%s probe: the server's overall health, not a service's", name)
	}
}

// gencertFiles are the files `proglog gencert` writes that a node reads.
var gencertFiles = []string{"ca.pem", "server.pem", "server-key.pem", "gossip.key", "model.conf", "policy.csv"}

// requireFilesMounted checks that every file a PROGLOG_ variable names is in
// a volume of the Secret or ConfigMap that holds it, and that the data
// directory is on the pod's claim.
func requireFilesMounted(t *testing.T, pod corev1.PodSpec, c corev1.Container, env map[string]string) {
	t.Helper()
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mountAt := func(dir string) corev1.VolumeMount {
		for _, m := range c.VolumeMounts {
			if m.MountPath == dir {
				return m
			}
		}
		t.Fatalf("nothing is mounted at %s", dir)
		return corev1.VolumeMount{}
	}
	wantSource := map[string]string{ // file: the Secret or ConfigMap that holds it
		"ca.pem": "proglog-tls", "server.pem": "proglog-tls", "server-key.pem": "proglog-tls",
		"gossip.key": "proglog-gossip", "model.conf": "proglog-acl", "policy.csv": "proglog-acl",
	}
	seen := map[string]bool{}
	for name, value := range env {
		if !strings.HasSuffix(name, "_FILE") {
			continue
		}
		file := path.Base(value)
		require.Contains(t, gencertFiles, file, "%s=%s", name, value)
		seen[file] = true
		mount := mountAt(path.Dir(value))
		require.True(t, mount.ReadOnly, "%s is mounted writable", mount.MountPath)
		volume := volumes[mount.Name]
		switch {
		case volume.Secret != nil:
			require.Equal(t, wantSource[file], volume.Secret.SecretName, "%s", name)
			require.Equal(t, int32(0o440), *volume.Secret.DefaultMode, "keys readable by the pod's group alone")
		case volume.ConfigMap != nil:
			require.Equal(t, wantSource[file], volume.ConfigMap.Name, "%s", name)
		default:
			t.Fatalf("%s: volume %s is neither a Secret nor a ConfigMap", name, mount.Name)
		}
	}
	require.Len(t, seen, len(gencertFiles), "every file gencert writes for a node is read: %v", seen)

	data := mountAt(env["PROGLOG_DATA_DIR"])
	require.NotContains(t, volumes, data.Name, "the data must be on a claim, not a pod volume")
	// The StatefulSet's claim template names the mount.
	require.Equal(t, "data", data.Name)
}

// requireLockedDown checks the pod runs as 65532, not root, on a read-only
// root file system, with no privilege to gain and no capability.
func requireLockedDown(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	require.True(t, *pod.SecurityContext.RunAsNonRoot)
	require.Equal(t, int64(65532), *pod.SecurityContext.RunAsUser)
	require.Equal(t, int64(65532), *pod.SecurityContext.FSGroup)
	sc := c.SecurityContext
	require.True(t, *sc.RunAsNonRoot)
	require.Equal(t, int64(65532), *sc.RunAsUser)
	require.True(t, *sc.ReadOnlyRootFilesystem)
	require.False(t, *sc.AllowPrivilegeEscalation)
	require.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	require.Empty(t, sc.Capabilities.Add)
	require.False(t, *pod.AutomountServiceAccountToken, "the nodes call no Kubernetes API")
}

// varRef matches a $(VAR) reference, which Kubernetes expands in an env
// value when VAR is defined earlier in the list.
var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// envOf returns the container's environment by name, after checking that
// every PROGLOG_ variable is one `proglog serve` reads (a misspelt one
// would be ignored, and its flag left at its default) and that every
// $(VAR) refers to a variable defined before it.
func envOf(t *testing.T, c corev1.Container) map[string]string {
	t.Helper()
	serveEnv := readLines(t, serveEnvFile)
	env := map[string]string{}
	for _, e := range c.Env {
		require.NotContains(t, env, e.Name, "%s is set twice", e.Name)
		if strings.HasPrefix(e.Name, "PROGLOG_") {
			require.Contains(t, serveEnv, e.Name, "serve has no flag for %s (see %s)", e.Name, serveEnvFile)
		}
		for _, ref := range varRef.FindAllStringSubmatch(e.Value, -1) {
			require.Contains(t, env, ref[1], "%s refers to $(%s) before it is defined: Kubernetes would leave it as is", e.Name, ref[1])
		}
		env[e.Name] = e.Value
	}
	return env
}

// fieldRefOf returns the pod field the variable name is taken from.
func fieldRefOf(t *testing.T, c corev1.Container, name string) string {
	t.Helper()
	for _, e := range c.Env {
		if e.Name == name {
			require.NotNil(t, e.ValueFrom, "%s is not taken from the pod", name)
			require.NotNil(t, e.ValueFrom.FieldRef, "%s is not taken from a field of the pod", name)
			return e.ValueFrom.FieldRef.FieldPath
		}
	}
	t.Fatalf("no variable %s", name)
	return ""
}

// readLines returns the lines of file.
func readLines(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var lines []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	require.NoError(t, scanner.Err())
	return lines
}
