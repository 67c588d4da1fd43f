// Package config turns certificate files into TLS configurations for the
// server and its clients, and says where those files are.
//
// # Usage
//
//	files := config.FilesIn(dir) // as "proglog gencert" writes them
//	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
//		CertFile: files.ServerCertFile,
//		KeyFile:  files.ServerKeyFile,
//		CAFile:   files.CAFile, // verify every client against this CA
//		Server:   true,
//	})
//	if err != nil {
//		return err
//	}
//	gsrv, err := server.NewGRPCServer(cfg, grpc.Creds(credentials.NewTLS(serverTLS)))
package config
