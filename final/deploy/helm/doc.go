// Package helm holds the tests of the proglog Helm chart in ./proglog: they
// render the chart with the Helm SDK, as `helm template` would, and decode
// every manifest strictly into its Kubernetes type, so a misspelt field or
// a value of the wrong type fails here rather than in a cluster.
//
// The package is a module of its own, so that the service's module never
// depends on Helm, and it is left out of the repository's go.work: in one
// workspace, Helm's dependencies would raise the versions the service
// builds with. Run its tests with GOWORK=off (make test-deploy does).
package helm
