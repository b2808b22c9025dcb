package main

import (
	"fmt"
	"net"
	"path"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	kubeletapis "k8s.io/kubelet/pkg/apis"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

// Cluster names become container-name prefixes; kind allows lowercase letters, digits, '.' and '-'.
var clusterName = regexp.MustCompile(`^[a-z0-9.-]+$`)

func portOK(p int32) bool { return p >= -1 && p <= 65535 } // -1: let the runtime pick

func checkCluster(c *v1alpha4.Cluster) []problem {
	var out []problem
	bad := func(format string, a ...any) {
		out = append(out, problem{stage: "cluster", msg: fmt.Sprintf(format, a...)})
	}

	if !clusterName.MatchString(c.Name) {
		bad("%q is not a valid cluster name (must match %s)", c.Name, clusterName)
	}
	n := c.Networking
	if n.APIServerPort != 0 && !portOK(n.APIServerPort) {
		bad("invalid apiServerPort %d", n.APIServerPort)
	}
	switch n.IPFamily {
	case v1alpha4.IPv4Family, v1alpha4.IPv6Family, v1alpha4.DualStackFamily:
	default:
		bad("invalid ipFamily %q (want ipv4, ipv6 or dual)", n.IPFamily)
	}
	if err := subnetsOK(n.PodSubnet, n.IPFamily); err != nil {
		bad("invalid podSubnet %q: %v", n.PodSubnet, err)
	}
	if err := subnetsOK(n.ServiceSubnet, n.IPFamily); err != nil {
		bad("invalid serviceSubnet %q: %v", n.ServiceSubnet, err)
	}
	switch n.KubeProxyMode {
	case v1alpha4.IPTablesProxyMode, v1alpha4.IPVSProxyMode, v1alpha4.NFTablesProxyMode, "none": // kind has no v1alpha4 constant for "none"
	default:
		bad("invalid kubeProxyMode %q (want iptables, ipvs, nftables or none)", n.KubeProxyMode)
	}
	controlPlanes := 0
	for _, node := range c.Nodes {
		if node.Role == v1alpha4.ControlPlaneRole {
			controlPlanes++
		}
	}
	if controlPlanes == 0 {
		bad("must have at least one %s node", v1alpha4.ControlPlaneRole)
	}
	return out
}

// subnetsOK: comma-separated CIDRs; one for a single-stack family (of that family), one of each for dual.
func subnetsOK(s string, fam v1alpha4.ClusterIPFamily) error {
	var v4, v6 int
	parts := strings.Split(s, ",")
	for _, p := range parts {
		_, cidr, err := net.ParseCIDR(p)
		if err != nil {
			return fmt.Errorf("cannot parse CIDR %q", p)
		}
		if cidr.IP.To4() != nil {
			v4++
		} else {
			v6++
		}
	}
	switch {
	case fam == v1alpha4.DualStackFamily && len(parts) == 2 && (v4 != 1 || v6 != 1):
		return fmt.Errorf("dual-stack needs one IPv4 and one IPv6 CIDR")
	case fam == v1alpha4.DualStackFamily && len(parts) > 2:
		return fmt.Errorf("dual-stack takes at most two CIDRs")
	case fam != v1alpha4.DualStackFamily && len(parts) > 1:
		return fmt.Errorf("only one CIDR allowed for single-stack networking")
	case fam == v1alpha4.IPv4Family && v4 == 0:
		return fmt.Errorf("expected an IPv4 CIDR for the ipv4 family")
	case fam == v1alpha4.IPv6Family && v6 == 0:
		return fmt.Errorf("expected an IPv6 CIDR for the ipv6 family")
	}
	return nil
}

func checkNode(i int, n *v1alpha4.Node, fam v1alpha4.ClusterIPFamily) []problem {
	var out []problem
	add := func(stage string, warn bool, format string, a ...any) {
		out = append(out, problem{stage: stage, warning: warn, msg: fmt.Sprintf("node %d: ", i) + fmt.Sprintf(format, a...)})
	}

	// kind's validator
	if n.Role != v1alpha4.ControlPlaneRole && n.Role != v1alpha4.WorkerRole {
		add("node", false, "%q is not a valid node role (want control-plane or worker)", n.Role)
	}
	if n.Image == "" {
		add("node", false, "image is a required field")
	}
	for _, pm := range n.ExtraPortMappings {
		if !portOK(pm.HostPort) {
			add("node", false, "invalid hostPort %d", pm.HostPort)
		}
		if !portOK(pm.ContainerPort) {
			add("node", false, "invalid containerPort %d", pm.ContainerPort)
		}
	}
	if err := portMappingsUnique(n.ExtraPortMappings); err != nil {
		add("node", false, "%v", err)
	}

	// what the docker provider rejects when it builds `docker run` arguments (protocol and
	// propagation values are already checked by kind's own YAML decoding of PortMapping/Mount)
	for _, m := range n.ExtraMounts {
		if m.HostPath == "" || m.ContainerPath == "" {
			add("provider", false, "extraMounts need both hostPath and containerPath (got %q:%q)", m.HostPath, m.ContainerPath)
		} else if !path.IsAbs(m.ContainerPath) {
			add("provider", false, "extraMounts containerPath %q must be absolute", m.ContainerPath)
		}
	}

	// kind passes node labels to the kubelet as --node-labels; a label the kubelet refuses makes
	// `kind create cluster` hang/fail at "Joining worker nodes" (kind#3536) instead of failing here.
	for k, v := range n.Labels {
		for _, e := range validation.IsQualifiedName(k) {
			add("kubelet", false, "invalid label key %q: %s", k, e)
		}
		for _, e := range validation.IsValidLabelValue(v) {
			add("kubelet", false, "invalid value %q for label %q: %s", v, k, e)
		}
		if ns := labelNamespace(k); inK8sNamespace(ns) && !kubeletapis.IsKubeletLabel(k) {
			add("kubelet", false, "the kubelet refuses --node-labels %q: labels in the kubernetes.io/k8s.io namespaces "+
				"must use an allowed prefix (%s) or be one of %s; set it later with kubectl label instead",
				k, strings.Join(kubeletapis.KubeletLabelNamespaces(), ", "), strings.Join(kubeletapis.KubeletLabels(), ", "))
		}
	}
	return out
}

func labelNamespace(key string) string {
	if before, _, ok := strings.Cut(key, "/"); ok {
		return before
	}
	return ""
}

func inK8sNamespace(ns string) bool {
	for _, d := range []string{"kubernetes.io", "k8s.io"} {
		if ns == d || strings.HasSuffix(ns, "."+d) {
			return true
		}
	}
	return false
}

// portMappingsUnique: no two mappings may bind the same host address/port/protocol, and a wildcard
// address (0.0.0.0 or ::, also the default) conflicts with any other address on that port/protocol.
// hostPort 0 and -1 pick a random port and never conflict.
func portMappingsUnique(pms []v1alpha4.PortMapping) error {
	seen := map[string]map[string]bool{} // "port/proto" -> addresses
	for _, pm := range pms {
		if pm.HostPort == 0 || pm.HostPort == -1 {
			continue
		}
		addr := pm.ListenAddress
		if addr == "" {
			addr = "0.0.0.0"
		}
		ip := net.ParseIP(addr)
		if ip == nil {
			return fmt.Errorf("invalid listenAddress %q", pm.ListenAddress)
		}
		if ip.IsUnspecified() {
			ip = net.IPv4zero
		}
		proto := string(pm.Protocol)
		if proto == "" {
			proto = string(v1alpha4.PortMappingProtocolTCP)
		}
		key := fmt.Sprintf("%d/%s", pm.HostPort, proto)
		addrs := seen[key]
		if addrs == nil {
			addrs = map[string]bool{}
			seen[key] = addrs
		}
		wild := ip.Equal(net.IPv4zero)
		if addrs[ip.String()] || addrs[net.IPv4zero.String()] || (wild && len(addrs) > 0) {
			return fmt.Errorf("port mapping with same listen address, port and protocol already configured: %s:%s", ip, key)
		}
		addrs[ip.String()] = true
	}
	return nil
}
