// Command gencert writes a CA and the certificates signed by it, for
// running the service by hand: the server's (for 127.0.0.1, ::1 and
// localhost), root's, nobody's, producer's and consumer's, and three that
// the server must refuse (one from another CA, one expired, one
// self-signed). Tests make their own; this is the same
// set, in a directory you choose.
//
//	go run ./cmd/gencert -dir /tmp/proglog-certs
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/proglog-workshop/proglog/final/internal/pki"
)

func main() {
	dir := flag.String("dir", "", "directory to write the certificates and keys to (required)")
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	files, err := pki.Write(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencert:", err)
		os.Exit(1)
	}
	for _, f := range []string{
		files.CAFile,
		files.ServerCertFile, files.ServerKeyFile,
		files.RootClientCertFile, files.RootClientKeyFile,
		files.NobodyClientCertFile, files.NobodyClientKeyFile,
		files.ProducerClientCertFile, files.ProducerClientKeyFile,
		files.ConsumerClientCertFile, files.ConsumerClientKeyFile,
		files.OtherCAClientCertFile, files.OtherCAClientKeyFile,
		files.ExpiredClientCertFile, files.ExpiredClientKeyFile,
		files.SelfSignedClientCertFile, files.SelfSignedClientKeyFile,
	} {
		fmt.Println(f)
	}
}
