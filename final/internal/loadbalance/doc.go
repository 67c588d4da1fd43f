// Package loadbalance lets a gRPC client find the servers of a proglog
// cluster and spread its calls over them: a resolver for the scheme
// "proglog" asks a server which servers the cluster has and which one leads
// it, and a picker, registered as the balancer "proglog", sends produces to
// the leader and consumes to the followers in turn.
//
// Importing the package registers both with gRPC (see register.go). A
// client then dials any one server of the cluster with the scheme, over
// mutual TLS; the resolver uses the same credentials to ask for the others.
//
// # Usage
//
//	import _ "github.com/proglog-workshop/proglog/final/internal/loadbalance"
//
//	conn, err := grpc.NewClient(
//		"proglog:///127.0.0.1:8400",
//		grpc.WithTransportCredentials(credentials.NewTLS(clientTLS)),
//	)
//	if err != nil {
//		return err
//	}
//	defer conn.Close()
//	client := api.NewLogClient(conn) // Produce to the leader, Consume from a follower
package loadbalance
