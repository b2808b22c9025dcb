// Command kindcheck tells whether kind would accept a cluster config file, without a container engine.
//
// `kind create cluster --config f.yaml` only loads and validates the config after it has found a
// working container runtime, and kind's loader and validator live in internal packages. So this
// program decodes the file the way kind does (apiVersion/kind check, then a strict decode into the
// public v1alpha4 types), applies kind's public defaults, and then applies our own checks of the
// rules kind's validator, its docker provider and the kubelet enforce during `kind create cluster`.
//
// Usage: kindcheck [--quiet] FILE...   ("-" reads stdin). Exit 0: accepted; 1: rejected; 2: usage.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kind/pkg/cluster/constants"
)

// problem is one finding; warnings do not make the file rejected.
type problem struct {
	stage   string // decode | cluster | node | provider | kubelet
	warning bool
	msg     string
}

func (p problem) String() string {
	level := "error"
	if p.warning {
		level = "warning"
	}
	// one line per finding: yaml's multi-line errors are joined
	return fmt.Sprintf("%s: %s: %s", level, p.stage, strings.Join(strings.Fields(p.msg), " "))
}

type typeMeta struct {
	Kind       string `yaml:"kind"`
	APIVersion string `yaml:"apiVersion"`
}

// decode mirrors kind's loader: a loose read of apiVersion/kind, then a strict decode
// (unknown fields are errors) of the same bytes into v1alpha4.Cluster, then kind's defaults.
func decode(raw []byte) (*v1alpha4.Cluster, error) {
	var tm typeMeta
	if err := yaml.Unmarshal(raw, &tm); err != nil {
		return nil, fmt.Errorf("could not determine kind / apiVersion for config: %w", err)
	}
	if tm.APIVersion != "kind.x-k8s.io/v1alpha4" {
		return nil, fmt.Errorf("unknown apiVersion: %s", tm.APIVersion)
	}
	if tm.Kind != "Cluster" {
		return nil, fmt.Errorf("unknown kind %s for apiVersion: %s", tm.Kind, tm.APIVersion)
	}
	cfg := &v1alpha4.Cluster{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("unable to decode config: %w", err)
	}
	v1alpha4.SetDefaultsCluster(cfg)
	if cfg.Name == "" {
		cfg.Name = constants.DefaultClusterName
	}
	return cfg, nil
}

func check(raw []byte) []problem {
	cfg, err := decode(raw)
	if err != nil {
		return []problem{{stage: "decode", msg: err.Error()}}
	}
	var out []problem
	out = append(out, checkCluster(cfg)...)
	for i := range cfg.Nodes {
		out = append(out, checkNode(i, &cfg.Nodes[i], cfg.Networking.IPFamily)...)
	}
	return out
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	quiet := false
	var files []string
	for _, a := range args {
		switch a {
		case "--version", "-version":
			fmt.Fprintf(stdout, "kindcheck (kind %s)\n", kindVersion())
			return 0
		case "--quiet", "-q":
			quiet = true
		case "-h", "--help":
			fmt.Fprintln(stdout, "usage: kindcheck [--quiet] FILE... (\"-\" = stdin); exit 0 accepted, 1 rejected")
			return 0
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "usage: kindcheck [--quiet] FILE... (\"-\" = stdin)")
		return 2
	}
	code := 0
	for _, f := range files {
		raw, err := readInput(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "%s: error: read: %v\n", f, err)
			code = 1
			continue
		}
		rejected := false
		for _, p := range check(raw) {
			fmt.Fprintf(stderr, "%s: %s\n", f, p)
			rejected = rejected || !p.warning
		}
		if rejected {
			code = 1
		} else if !quiet {
			fmt.Fprintf(stdout, "%s: accepted\n", f)
		}
	}
	return code
}

func readInput(f string, stdin io.Reader) ([]byte, error) {
	if f == "-" {
		return io.ReadAll(stdin)
	}
	raw, err := os.ReadFile(f)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no such file")
	}
	return raw, err
}

func kindVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "sigs.k8s.io/kind" {
				return d.Version
			}
		}
	}
	return "unknown"
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
