// Command chartcheck reads the manifests `helm template` rendered from deploy/helm/hms (a file, or
// stdin) and checks each one strictly against the Kubernetes API types it names — an unknown or
// misspelt field, a wrong type or an unknown kind fails, as `kubeconform -strict` would, without
// downloading schemas — and then what docs/deploy.md promises of the chart: probes that send an allowed
// Host, resources, a non-root read-only container, spread over zones and nodes, a disruption budget
// and an autoscaler for the Deployment, and an Ingress that keeps websockets open. It is its own
// module (not in go.work) so that make test does not build the Kubernetes types; scripts/chart-check.sh
// runs it.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	var in io.Reader = os.Stdin
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fail("%v", err)
		}
		defer f.Close()
		in = f
	}
	b, err := io.ReadAll(in)
	if err != nil {
		fail("%v", err)
	}
	var problems []string
	kinds := map[string]any{}
	for i, doc := range bytes.Split(b, []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var head struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			problems = append(problems, fmt.Sprintf("document %d: %v", i, err))
			continue
		}
		obj, ok := newObject(head.APIVersion, head.Kind)
		if !ok {
			problems = append(problems, fmt.Sprintf("document %d: unknown %s %s", i, head.APIVersion, head.Kind))
			continue
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			problems = append(problems, fmt.Sprintf("%s (document %d): %v", head.Kind, i, err))
			continue
		}
		kinds[head.Kind] = obj
	}
	problems = append(problems, promises(kinds)...)
	if len(problems) > 0 {
		fail("%s", strings.Join(problems, "\n"))
	}
	fmt.Printf("chartcheck: %d kinds checked strictly: ok\n", len(kinds))
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func newObject(apiVersion, kind string) (any, bool) {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, true
	case "v1 Service":
		return &corev1.Service{}, true
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, true
	case "v1 Secret":
		return &corev1.Secret{}, true
	case "networking.k8s.io/v1 Ingress":
		return &networkingv1.Ingress{}, true
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}, true
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	}
	return nil, false
}

func promises(kinds map[string]any) []string {
	var p []string
	d, _ := kinds["Deployment"].(*appsv1.Deployment)
	if d == nil {
		return []string{"no Deployment"}
	}
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		return []string{"the Deployment should run one container"}
	}
	c := spec.Containers[0]
	for name, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if probe == nil || probe.HTTPGet == nil {
			p = append(p, name+" probe missing")
			continue
		}
		host := false
		for _, h := range probe.HTTPGet.HTTPHeaders {
			host = host || h.Name == "Host" && h.Value != ""
		}
		if !host {
			p = append(p, name+" probe sends no Host: the server refuses the pod IP")
		}
	}
	if c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet != nil && c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		p = append(p, "the readiness probe must ask /readyz (it turns 503 first when the pod drains)")
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
		p = append(p, "the container has no CPU or memory request (the autoscaler needs the CPU one)")
	}
	sc := c.SecurityContext
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot ||
		sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p = append(p, "the pod must run as non-root with a read-only root filesystem")
	}
	if len(spec.TopologySpreadConstraints) < 2 {
		p = append(p, "the pods should spread over zones and nodes")
	}
	if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds < 25 {
		p = append(p, "terminationGracePeriodSeconds must outlast SHUTDOWN_TIMEOUT")
	}
	if pdb, _ := kinds["PodDisruptionBudget"].(*policyv1.PodDisruptionBudget); pdb == nil {
		p = append(p, "no PodDisruptionBudget")
	}
	// Without an autoscaler the Deployment names its replicas; with one it must not (they would fight).
	hpa, _ := kinds["HorizontalPodAutoscaler"].(*autoscalingv2.HorizontalPodAutoscaler)
	switch {
	case hpa == nil && d.Spec.Replicas == nil:
		p = append(p, "neither replicas nor a HorizontalPodAutoscaler for the Deployment")
	case hpa != nil && (d.Spec.Replicas != nil || hpa.Spec.ScaleTargetRef.Name != d.Name):
		p = append(p, "the HorizontalPodAutoscaler must scale the Deployment, which then names no replicas")
	}
	if ing, _ := kinds["Ingress"].(*networkingv1.Ingress); ing == nil || ing.Annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "" || len(ing.Spec.TLS) == 0 {
		p = append(p, "the Ingress must terminate TLS and keep websockets open (proxy-read-timeout)")
	}
	return p
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chartcheck: "+format+"\n", args...)
	os.Exit(1)
}
