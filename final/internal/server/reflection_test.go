package server

import (
	"testing"

	"github.com/stretchr/testify/require"
	reflectiongrpc "google.golang.org/grpc/reflection/grpc_reflection_v1"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestReflection lists the services as grpcurl does, with the reflection
// client: the Log service must be there. It asks as nobody, whom the ACL
// allows nothing: reflection reveals the schema only, and needs no entry.
func TestReflection(t *testing.T) {
	srv := startServer(t, newLog(t))
	conn := srv.dial(t, srv.tlsAs(t, srv.certs.NobodyClientCertFile, srv.certs.NobodyClientKeyFile))
	stream, err := reflectiongrpc.NewServerReflectionClient(conn).ServerReflectionInfo(t.Context())
	require.NoError(t, err)
	require.NoError(t, stream.Send(&reflectiongrpc.ServerReflectionRequest{
		MessageRequest: &reflectiongrpc.ServerReflectionRequest_ListServices{ListServices: "*"},
	}))
	res, err := stream.Recv()
	require.NoError(t, err, "reflection must need no ACL entry")
	var names []string
	for _, s := range res.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	require.Contains(t, names, api.Log_ServiceDesc.ServiceName, "reflection must list the Log service; it listed %v", names)
	require.NoError(t, stream.CloseSend())
}
