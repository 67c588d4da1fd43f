package server

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// The ACL's words: every call asks whether its subject may perform an
// action on the object objectWildcard, the whole log.
const (
	objectWildcard = "*"
	produceAction  = "produce"
	consumeAction  = "consume"
	discoverAction = "discover"
)

// actions maps each method of the Log service to the action it needs. A
// method that is not here, and is not a health check, is refused.
var actions = map[string]string{
	api.Log_Produce_FullMethodName:       produceAction,
	api.Log_ProduceStream_FullMethodName: produceAction,
	api.Log_ProduceBatch_FullMethodName:  produceAction,
	api.Log_Consume_FullMethodName:       consumeAction,
	api.Log_ConsumeStream_FullMethodName: consumeAction,
	// The cluster's addresses are an action of their own: producers and
	// consumers both need them (the Go client asks for them to find the
	// leader), and granting either role must not imply the other.
	api.Log_GetServers_FullMethodName: discoverAction,
}

// isHealthCheck reports whether method belongs to the standard gRPC health
// service. Health checks come from load balancers and orchestrators, which
// have no entry in the ACL, and reveal nothing about the log.
func isHealthCheck(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.Health/")
}

// isReflection reports whether method belongs to gRPC's reflection
// service, either version. Reflection tells a client (grpcurl, say) the
// schema of the services, which is public in log.proto anyway, and nothing
// of the log; the client still needs a certificate of our CA to connect. So
// it needs no ACL entry, like health checks.
func isReflection(method string) bool {
	return strings.HasPrefix(method, "/grpc.reflection.v1.ServerReflection/") ||
		strings.HasPrefix(method, "/grpc.reflection.v1alpha.ServerReflection/")
}

// authorizeUnary implements grpc.UnaryServerInterceptor: it runs the
// handler only if [grpcServer.authorize] allows the call.
func (s *grpcServer) authorizeUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.authorize(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// authorizeStream implements grpc.StreamServerInterceptor: it runs the
// handler only if [grpcServer.authorize] allows the call. The check happens
// once, when the stream opens.
func (s *grpcServer) authorizeStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.authorize(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}

// authorize returns nil if the client of the call in ctx may call method:
// always for a health check or reflection; for a method of the Log service, when the
// Authorizer lets the client's [subject] perform the method's action on
// objectWildcard. Otherwise it returns the status error to end the call
// with: Unauthenticated when the client has no verified name,
// PermissionDenied when the ACL says no or the method is unknown.
func (s *grpcServer) authorize(ctx context.Context, method string) error {
	if isHealthCheck(method) || isReflection(method) {
		return nil
	}
	action, ok := actions[method]
	if !ok {
		return status.Errorf(codes.PermissionDenied, "%s has no action in the ACL", method)
	}
	sub, err := subject(ctx)
	if err != nil {
		return err
	}
	return s.authorizer.Authorize(sub, objectWildcard, action)
}

// subject returns the name of the client of the call in ctx: the common
// name of the certificate it presented, as verified by the TLS handshake.
// Without a verified certificate it returns a status error with code
// Unauthenticated.
func subject(ctx context.Context) (string, error) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return "", status.Error(codes.Unauthenticated, "no peer information")
	}
	tlsInfo, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok {
		return "", status.Error(codes.Unauthenticated, "the connection does not use TLS")
	}
	// The verified chain, not the certificates presented: a client can put
	// any name in a certificate; only one that chains to our CA counts.
	chains := tlsInfo.State.VerifiedChains
	if len(chains) == 0 || len(chains[0]) == 0 {
		return "", status.Error(codes.Unauthenticated, "no verified client certificate")
	}
	return chains[0][0].Subject.CommonName, nil
}
