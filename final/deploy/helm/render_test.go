package helm

import (
	"testing"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
)

// chartDir is the chart under test.
const chartDir = "proglog"

// kubeVersion is the Kubernetes the chart is rendered for: the oldest its
// Chart.yaml accepts, the first with gRPC probes on by default and stable.
const kubeVersion = "v1.27.0"

// namespace and releaseName are those of the rendered release; the pods'
// DNS names are built from them.
const (
	namespace   = "logs"
	releaseName = "proglog"
)

// manifests are the typed objects of one rendering of the chart.
type manifests struct {
	statefulSet *appsv1.StatefulSet
	services    map[string]*corev1.Service // by name
	pdb         *policyv1.PodDisruptionBudget
	notes       string
}

// render renders the chart with values, as `helm template` does, and
// strictly decodes every manifest into its type.
func render(t *testing.T, values map[string]any) manifests {
	t.Helper()
	chrt := loadChart(t)
	var err error
	install := action.NewInstall(&action.Configuration{})
	install.DryRun = true
	install.ClientOnly = true
	install.ReleaseName = releaseName
	install.Namespace = namespace
	install.KubeVersion, err = chartutil.ParseKubeVersion(kubeVersion)
	require.NoError(t, err)
	rel, err := install.Run(chrt, values)
	require.NoError(t, err)

	decoder := strictDecoder()
	m := manifests{services: map[string]*corev1.Service{}, notes: rel.Info.Notes}
	for name, doc := range releaseutil.SplitManifests(rel.Manifest) {
		obj, _, err := decoder.Decode([]byte(doc), nil, nil)
		require.NoError(t, err, "decode %s:\n%s", name, doc)
		switch obj := obj.(type) {
		case *appsv1.StatefulSet:
			require.Nil(t, m.statefulSet, "a second StatefulSet")
			m.statefulSet = obj
		case *corev1.Service:
			m.services[obj.Name] = obj
		case *policyv1.PodDisruptionBudget:
			require.Nil(t, m.pdb, "a second PodDisruptionBudget")
			m.pdb = obj
		default:
			t.Fatalf("the chart renders a %T the test does not check:\n%s", obj, doc)
		}
	}
	require.NotNil(t, m.statefulSet, "no StatefulSet")
	require.NotNil(t, m.pdb, "no PodDisruptionBudget")
	require.Len(t, m.services, 2, "a headless Service and a client Service")
	return m
}

// strictDecoder decodes YAML into the types client-go knows, and fails on
// a field the type lacks or a field given twice: the checks kubeconform
// would make against the API's schemas, without fetching them.
func strictDecoder() runtime.Decoder {
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
}

// loadChart loads the chart from its directory.
func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	require.NoError(t, err)
	return chrt
}
