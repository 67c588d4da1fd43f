// Command proglog runs and uses a proglog cluster: one binary for the
// servers, their certificates, a local cluster to try things on, and a
// client.
//
// # Usage
//
//	proglog cluster                  # three local nodes; Ctrl-C stops them
//	proglog produce hello world      # in another terminal
//	proglog consume --follow         # prints "0	hello", "1	world", and waits
//	proglog servers
//
//	proglog gencert --dir certs      # certificates, ACL and gossip key
//	proglog serve --config-file node.yaml
//
// Every command's --help explains its flags, with examples. The flags of
// serve are also environment variables (PROGLOG_DATA_DIR for --data-dir)
// and keys of a YAML file (data-dir: ...); a flag wins over the
// environment, which wins over the file.
package main
