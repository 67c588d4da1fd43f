// Package compose holds the compose file of a three-node proglog cluster
// (compose.yaml) and TestComposeCluster, which builds the image, runs the
// cluster in Docker and uses it from the host. It has no code to import.
//
// The test needs Docker and compose (the "docker compose" plugin or
// docker-compose); without them it skips, unless PROGLOG_REQUIRE_DOCKER=1
// (which .ci/run sets where Docker works) makes the skip a failure.
package compose
